package io.pgkb.restorer.internal;

import static io.pgkb.restorer.internal.Sql.q;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.ddl.TableDefinition;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The table a restore builds under a temporary name in the target schema, so the target is untouched until the
 * final swap. Tracks the columns it has, so schema changes in the stream can be replayed on it.
 */
public final class WorkTable {
    private static final Logger log = LoggerFactory.getLogger(WorkTable.class);
    private final Connection conn;
    private final TableId id;
    private List<String> primaryKey;
    private RowShape shape;

    private WorkTable(Connection conn, TableId id, RowShape shape, List<String> primaryKey) {
        this.conn = conn;
        this.id = id;
        this.shape = shape;
        this.primaryKey = List.copyOf(primaryKey);
    }

    /**
     * Creates the table with these columns (its schema exists); the primary key comes with {@link #addPrimaryKey()}
     * after the bulk load, which builds the index in one sorted pass instead of row by row.
     */
    public static WorkTable create(Connection conn, TableId id, RowShape shape, List<String> primaryKey) throws SQLException {
        return create(conn, id, shape, primaryKey, null);
    }

    /**
     * As {@link #create(Connection, TableId, RowShape, List)}, with the columns of {@code definition} (the definition
     * the dump was taken with: {@code shape} plus generated columns, collations, NOT NULL) when there is one.
     */
    public static WorkTable create(Connection conn, TableId id, RowShape shape, List<String> primaryKey,
                                   TableDefinition definition) throws SQLException {
        if (definition != null) {
            DefinitionApplier.createTable(conn, definition, id);
            return new WorkTable(conn, id, shape, primaryKey);
        }
        List<String> defs = new ArrayList<>();
        for (RowShape.Column c : shape.columns()) {
            defs.add(q(c.name()) + " " + c.type());
        }
        Sql.exec(conn, "CREATE TABLE " + id.quoted() + " (" + Sql.join(defs) + ")");
        return new WorkTable(conn, id, shape, primaryKey);
    }

    public void addPrimaryKey() throws SQLException {
        if (!primaryKey.isEmpty()) {
            Sql.exec(conn, "ALTER TABLE " + id.quoted() + " ADD PRIMARY KEY (" + Sql.join(primaryKey.stream().map(Sql::q).toList()) + ")");
        }
    }

    public TableId id() {
        return id;
    }

    public RowShape shape() {
        return shape;
    }

    public List<String> primaryKey() {
        return primaryKey;
    }

    public void truncate() throws SQLException {
        Sql.exec(conn, "TRUNCATE " + id.quoted());
    }

    /**
     * Makes the table's columns those of {@code next} (a later writer schema): drops columns it no longer has,
     * adds new ones at the end (as ALTER TABLE ADD COLUMN did on the source), changes types through their text
     * form.
     */
    public void alterTo(RowShape next) throws SQLException {
        List<RowShape.Column> result = new ArrayList<>();
        for (RowShape.Column c : shape.columns()) {
            int i = next.indexOf(c.name());
            if (i < 0) {
                if (primaryKey.contains(c.name())) {
                    throw new PgkbException.FatalException("cannot replay on " + id + ": primary-key column " + c.name()
                            + " disappears from the stream");
                }
                Sql.exec(conn, "ALTER TABLE " + id.quoted() + " DROP COLUMN " + q(c.name()));
                log.info("restore.alter table={} drop_column={}", id, c.name());
            } else {
                RowShape.Column n = next.columns().get(i);
                if (!n.type().equals(c.type())) {
                    Sql.exec(conn, "ALTER TABLE " + id.quoted() + " ALTER COLUMN " + q(c.name()) + " TYPE " + n.type()
                            + " USING " + q(c.name()) + "::text::" + n.type());
                    log.info("restore.alter table={} column={} type={}", id, c.name(), n.type());
                }
                result.add(n);
            }
        }
        for (RowShape.Column n : next.columns()) {
            if (shape.indexOf(n.name()) < 0) {
                Sql.exec(conn, "ALTER TABLE " + id.quoted() + " ADD COLUMN " + q(n.name()) + " " + n.type());
                // the stream carries no defaults and no rewrite: rows untouched since the ADD COLUMN get NULL here
                log.warn("restore.alter table={} add_column={} type={}: rows not changed after the column was added hold "
                        + "NULL in it; if the source added it with a DEFAULT those rows differ from the source - a dump "
                        + "taken after that DDL (pgkb dump) restores such points exactly", id, n.name(), n.type());
                result.add(n);
            }
        }
        if (!result.equals(next.columns())) {
            log.warn("restore.column_order table={} restored={} source={}", id, new RowShape(result).names(), next.names());
        }
        shape = new RowShape(result);
    }

    /**
     * Replays a captured DDL's column changes, as the source made them: a column added with a value for older rows
     * gets it the way PostgreSQL gives it (ADD COLUMN with that constant DEFAULT, kept as the column's missing value,
     * then DROP DEFAULT: the definition at T sets the real default at the end).
     */
    public void apply(DdlReplay replay) throws SQLException {
        String t = id.quoted();
        for (DdlReplay.Action a : replay.actions()) {
            if (a instanceof DdlReplay.Drop d) {
                Sql.exec(conn, "ALTER TABLE " + t + " DROP COLUMN " + q(d.column()));
            } else if (a instanceof DdlReplay.Rename r) {
                Sql.exec(conn, "ALTER TABLE " + t + " RENAME COLUMN " + q(r.from()) + " TO " + q(r.to()));
            } else if (a instanceof DdlReplay.Retype r) {
                Sql.exec(conn, "ALTER TABLE " + t + " ALTER COLUMN " + q(r.column()) + " TYPE " + r.type()
                        + " USING " + q(r.column()) + "::text::" + r.type());
            } else if (a instanceof DdlReplay.Add add) {
                Sql.exec(conn, "ALTER TABLE " + t + " ADD COLUMN " + q(add.column()) + " " + add.type()
                        + (add.missing() == null ? "" : " DEFAULT " + Sql.literal(add.missing()) + "::" + add.type()));
                if (add.missing() != null) {
                    Sql.exec(conn, "ALTER TABLE " + t + " ALTER COLUMN " + q(add.column()) + " DROP DEFAULT");
                }
            }
            log.info("restore.ddl table={} action={} ddl={}", id, a, replay.event().describe());
        }
        primaryKey = primaryKey.stream().map(k -> replay.renames().getOrDefault(k, k)).toList();
        shape = replay.after();
    }

    public void drop() throws SQLException {
        Sql.exec(conn, "DROP TABLE IF EXISTS " + id.quoted());
    }
}
