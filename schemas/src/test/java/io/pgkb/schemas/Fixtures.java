package io.pgkb.schemas;

import java.util.ArrayList;
import java.util.List;

/** Relation definitions used by several tests. */
public final class Fixtures {
    private Fixtures() {
    }

    public static final TableId ORDERS = new TableId("shop", "order items");

    public static List<ColumnDef> ordersColumns() {
        List<ColumnDef> cols = new ArrayList<>();
        cols.add(new ColumnDef("id", PgTypes.INT8, -1, "bigint", true));
        cols.add(new ColumnDef("Line No", PgTypes.INT4, -1, "integer", true));
        cols.add(new ColumnDef("price", PgTypes.NUMERIC, PgTypesTest.numericTypmod(10, 2), "numeric(10,2)", false));
        cols.add(new ColumnDef("note", PgTypes.TEXT, -1, "text", false));
        cols.add(new ColumnDef("at", PgTypes.TIMESTAMPTZ, -1, "timestamp with time zone", false));
        cols.add(new ColumnDef("tags", 1009, -1, "text[]", false));
        cols.add(new ColumnDef("blob", PgTypes.BYTEA, -1, "bytea", false));
        return cols;
    }

    public static RelationDef orders() {
        return new RelationDef(16384, ORDERS, 'd', ordersColumns());
    }

    public static RelationDef orders(List<ColumnDef> cols) {
        return new RelationDef(16384, ORDERS, 'd', cols);
    }
}
