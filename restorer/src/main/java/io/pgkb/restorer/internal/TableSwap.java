package io.pgkb.restorer.internal;

import static io.pgkb.restorer.internal.Sql.q;

import io.pgkb.restorer.TableTarget;
import io.pgkb.schemas.Messages;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.ddl.DefinitionReader;
import io.pgkb.schemas.ddl.TableDefinition;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.util.PSQLException;

/**
 * The swap, in the caller's transaction (DESIGN §6.4, §11): refuses when something else depends on a table to be
 * replaced, drops the replaced tables, renames every work table and its objects to their final names, recreates
 * foreign keys (to the restored copy of a table of the same run, or under {@code --replace} to the table they
 * referenced before) and gives each table its access: the replaced table's owner, privileges, policies and triggers,
 * or for a new table those of its definition at T. Returns what it could not recreate, for the report.
 */
final class TableSwap {
    /** One table to put in place; {@code built} is null for a dump without a definition (restored as before). */
    record Entry(TableTarget table, TableId work, DefinitionApplier.Built built) {
    }

    private final Connection c;
    private final boolean replace;
    private final List<String> notes = new ArrayList<>();

    TableSwap(Connection c, boolean replace) {
        this.c = c;
        this.replace = replace;
    }

    List<String> run(List<Entry> entries) throws SQLException {
        List<TableId> existing = new ArrayList<>();
        for (Entry e : entries) {
            if (Restorer.exists(c, e.table().target())) {
                if (!replace) {
                    throw new PgkbException.ConfigException("target table " + e.table().target() + " appeared during the restore; "
                            + "nothing was changed (use --replace to overwrite it)");
                }
                existing.add(e.table().target());
            }
        }
        refuseDependents(c, existing);
        Map<TableId, TableDefinition> live = new HashMap<>();
        for (TableId t : existing) {
            live.put(t, DefinitionReader.read(c, t));
        }
        if (!existing.isEmpty()) {
            drop(existing);
        }
        for (Entry e : entries) {
            TableId dst = e.table().target();
            Sql.exec(c, "ALTER TABLE " + e.work().quoted() + " RENAME TO " + q(dst.table()));
            if (e.built() == null) {
                primaryKeyAsBefore(dst);
            } else {
                for (DefinitionApplier.Rename r : e.built().renames()) {
                    rename(dst, r);
                }
            }
        }
        for (Entry e : entries) {
            if (e.built() != null) {
                foreignKeys(e, entries);
            }
        }
        for (Entry e : entries) {
            TableId dst = e.table().target();
            TableDefinition access = live.containsKey(dst) ? live.get(dst) : e.built() == null ? null : e.built().definition();
            if (access != null) {
                for (String n : TableAccess.apply(c, access, dst)) {
                    notes.add(dst + ": " + n);
                }
            }
            if (e.built() != null) {
                e.built().notes().forEach(n -> notes.add(dst + ": " + n));
            }
        }
        return notes;
    }

    /**
     * Views and other tables' foreign keys on a table to be replaced would have to be dropped with it: refuse, naming
     * them, before anything changes. Foreign keys among the replaced tables themselves go with them.
     */
    static void refuseDependents(Connection c, List<TableId> replaced) throws SQLException {
        if (replaced.isEmpty()) {
            return;
        }
        String[] names = replaced.stream().map(TableId::quoted).toArray(String[]::new);
        List<String> found = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                WITH r AS (SELECT pg_catalog.to_regclass(n) AS oid FROM pg_catalog.unnest(?::text[]) n)
                SELECT DISTINCT 'view ' || v.oid::regclass::text || ' uses ' || d.refobjid::regclass::text
                  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite w ON w.oid = d.objid
                  JOIN pg_catalog.pg_class v ON v.oid = w.ev_class
                 WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
                   AND d.refobjid IN (SELECT oid FROM r) AND w.ev_class <> d.refobjid
                UNION ALL
                SELECT 'foreign key ' || pg_catalog.quote_ident(k.conname) || ' of ' || k.conrelid::regclass::text
                       || ' references ' || k.confrelid::regclass::text
                  FROM pg_catalog.pg_constraint k
                 WHERE k.contype = 'f' AND k.confrelid IN (SELECT oid FROM r) AND k.conrelid NOT IN (SELECT oid FROM r)
                ORDER BY 1""")) {
            ps.setArray(1, c.createArrayOf("text", names));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
        }
        if (!found.isEmpty()) {
            throw new PgkbException.ConfigException("cannot replace " + String.join(", ", replaced.stream().map(TableId::toString).toList())
                    + ": other objects depend on it (" + String.join("; ", found) + "); nothing was changed (drop them first and "
                    + "recreate them after, or restore under another name)");
        }
    }

    /** One statement for all: foreign keys among them do not block each other. */
    private void drop(List<TableId> tables) throws SQLException {
        try {
            Sql.exec(c, "DROP TABLE " + Sql.join(tables.stream().map(TableId::quoted).toList()));
        } catch (PSQLException e) {
            if ("2BP01".equals(e.getSQLState())) {
                String detail = e.getServerErrorMessage() == null ? null : e.getServerErrorMessage().getDetail();
                throw new PgkbException.ConfigException("cannot replace " + tables + ": other objects depend on it ("
                        + (detail == null ? Messages.serverError(e) : detail.replace('\n', ';')) + "); nothing was changed");
            }
            throw e;
        }
    }

    /** Restores of dumps without a definition: the primary key takes the name PostgreSQL gives it, if free. */
    private void primaryKeyAsBefore(TableId dst) throws SQLException {
        String pk = DefinitionApplier.primaryKeyName(c, dst);
        String wanted = dst.table() + "_pkey";
        if (pk != null && wanted.getBytes(StandardCharsets.UTF_8).length <= ObjectNames.MAX_BYTES
                && !Restorer.exists(c, new TableId(dst.schema(), wanted))) {
            Sql.exec(c, "ALTER TABLE " + dst.quoted() + " RENAME CONSTRAINT " + q(pk) + " TO " + q(wanted));
        }
    }

    /** The final name, or when an object of another table holds it, the target-prefixed one; else it stays. */
    private void rename(TableId dst, DefinitionApplier.Rename r) throws SQLException {
        String name = r.finalName();
        if (Restorer.exists(c, new TableId(dst.schema(), name))) {
            name = ObjectNames.truncate(dst.table() + "_" + name);
            if (Restorer.exists(c, new TableId(dst.schema(), name))) {
                notes.add(dst + ": " + r.kind().name().toLowerCase() + " " + r.finalName() + " keeps the name " + r.temporary()
                        + " (its own name is taken in schema " + dst.schema() + ")");
                return;
            }
        }
        String sql = switch (r.kind()) {
            case CONSTRAINT -> "ALTER TABLE " + dst.quoted() + " RENAME CONSTRAINT " + q(r.temporary()) + " TO " + q(name);
            case INDEX -> "ALTER INDEX " + q(dst.schema()) + "." + q(r.temporary()) + " RENAME TO " + q(name);
            case SEQUENCE -> "ALTER SEQUENCE " + q(dst.schema()) + "." + q(r.temporary()) + " RENAME TO " + q(name);
        };
        Sql.exec(c, sql);
    }

    /** A foreign key points at the restored copy when its table is in this run, else (--replace) at the live table. */
    private void foreignKeys(Entry e, List<Entry> entries) throws SQLException {
        TableId dst = e.table().target();
        ObjectNames names = new ObjectNames(e.table().source(), dst, e.work());
        for (TableDefinition.Constraint k : e.built().foreignKeys()) {
            TableId referenced = k.referencedTableId();
            TableId to = entries.stream().filter(o -> o.table().source().equals(referenced)).map(o -> o.table().target())
                    .findFirst().orElse(null);
            if (to == null && replace && Restorer.exists(c, referenced)) {
                to = referenced;
            }
            if (to == null) {
                notes.add(dst + ": foreign key " + k.name() + " not recreated: it references " + referenced
                        + ", which this restore does not restore (restore both in one run, or use --replace to keep it "
                        + "pointing at the live table)");
                continue;
            }
            String from = " REFERENCES " + k.referencedQualified() + "(";
            if (!k.definition().contains(from)) {
                notes.add(dst + ": foreign key " + k.name() + " not recreated: its definition does not name " + referenced + " as expected");
                continue;
            }
            String sql = "ALTER TABLE " + dst.quoted() + " ADD CONSTRAINT " + q(names.finalName(k.name())) + " "
                    + k.definition().replace(from, " REFERENCES " + to.quoted() + "(");
            List<String> failed = new ArrayList<>();
            DefinitionErrors.attempt(c, e.built().definition().tableId(), "foreign key " + k.name(), sql, failed, true);
            failed.forEach(n -> notes.add(dst + ": " + n));
        }
    }
}
