package io.pgkb.restorer.internal;

import static io.pgkb.restorer.internal.Sql.q;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.ddl.TableDefinition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the live system expects of a table besides its structure: owner, privileges (table and column), row-level
 * security and its policies, triggers. Applied at the swap, from the definition at T for a new table, or from the
 * table being replaced under {@code --replace} (DESIGN §11: the live system's access, not the past one).
 */
final class TableAccess {
    private static final Pattern TRIGGER_FUNCTION = Pattern.compile(" EXECUTE (?:FUNCTION|PROCEDURE) (.+)\\((?:.*)\\)$");

    private TableAccess() {
    }

    /**
     * Before anything is built: every role the definition grants to or owns by exists in the target, and every
     * trigger function exists. Otherwise one line naming what to
     * create first (exit 2).
     */
    static void check(Connection c, TableDefinition d) throws SQLException {
        Map<String, String> roles = new LinkedHashMap<>();
        if (d.owner() != null) {
            roles.put(d.owner(), "its owner");
        }
        grants(d.acl(), "granted on it", roles);
        for (TableDefinition.Column col : d.columns()) {
            grants(col.acl(), "granted on column " + col.name(), roles);
        }
        for (TableDefinition.Policy p : d.policies()) {
            for (String r : p.roles()) {
                roles.putIfAbsent(r, "named in policy " + p.name());
            }
        }
        roles.remove("PUBLIC");
        for (Map.Entry<String, String> r : roles.entrySet()) {
            if (!exists(c, "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ?", r.getKey())) {
                throw new PgkbException.ConfigException("table " + d.tableId() + ": role " + q(r.getKey()) + " (" + r.getValue()
                        + ") does not exist in the target; create it first (CREATE ROLE " + q(r.getKey()) + "), then restore again");
            }
        }
        for (TableDefinition.Trigger t : d.triggers()) {
            Matcher m = TRIGGER_FUNCTION.matcher(t.definition());
            if (m.find() && !exists(c, "SELECT 1 WHERE pg_catalog.to_regprocedure(? || '()') IS NOT NULL", m.group(1))) {
                throw new PgkbException.ConfigException("table " + d.tableId() + ": function " + m.group(1) + " of trigger "
                        + t.name() + " does not exist in the target; create it first, then restore again");
            }
        }
    }

    /** Gives {@code dst} the access of {@code a}; returns what could not be kept (a column that is not there). */
    static List<String> apply(Connection c, TableDefinition a, TableId dst) throws SQLException {
        List<String> notes = new ArrayList<>();
        String table = dst.quoted();
        // only a superuser or a member of the owner may give it the table; otherwise the restoring role keeps it
        if (a.owner() != null && exists(c, "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = current_user AND "
                + "(rolsuper OR pg_catalog.pg_has_role(current_user, ?, 'MEMBER'))", a.owner())) {
            run(c, a, notes, "owner", "ALTER TABLE " + table + " OWNER TO " + q(a.owner()));
        } else if (a.owner() != null) {
            notes.add("owner " + q(a.owner()) + " not kept: the restoring role owns the table (restore as a superuser or a "
                    + "member of " + q(a.owner()) + " to keep it)");
        }
        for (TableDefinition.Grant g : nonOwner(a.acl(), a.owner())) {
            run(c, a, notes, "privilege " + g.privilege() + " of " + g.grantee(), "GRANT " + g.privilege() + " ON TABLE "
                    + table + " TO " + grantee(g) + (g.grantable() ? " WITH GRANT OPTION" : ""));
        }
        for (TableDefinition.Column col : a.columns()) {
            for (TableDefinition.Grant g : nonOwner(col.acl(), a.owner())) {
                run(c, a, notes, "privilege " + g.privilege() + " of " + g.grantee() + " on column " + col.name(), "GRANT "
                        + g.privilege() + " (" + q(col.name()) + ") ON TABLE " + table + " TO " + grantee(g)
                        + (g.grantable() ? " WITH GRANT OPTION" : ""));
            }
        }
        if (a.rlsEnabled()) {
            run(c, a, notes, "row level security", "ALTER TABLE " + table + " ENABLE ROW LEVEL SECURITY");
        }
        if (a.rlsForced()) {
            run(c, a, notes, "row level security", "ALTER TABLE " + table + " FORCE ROW LEVEL SECURITY");
        }
        for (TableDefinition.Policy p : a.policies()) {
            run(c, a, notes, "policy " + p.name(), "CREATE POLICY " + q(p.name()) + " ON " + table + " AS "
                    + (p.permissive() ? "PERMISSIVE" : "RESTRICTIVE") + " FOR " + command(p.command()) + " TO "
                    + Sql.join(p.roles().stream().map(r -> "PUBLIC".equals(r) ? r : q(r)).toList())
                    + (p.using() == null ? "" : " USING (" + p.using() + ")")
                    + (p.withCheck() == null ? "" : " WITH CHECK (" + p.withCheck() + ")"));
        }
        for (TableDefinition.Trigger t : a.triggers()) {
            String on = " ON " + a.qualified() + " ";
            int at = t.definition().indexOf(on);
            if (at < 0) {
                notes.add("trigger " + t.name() + " not recreated: its definition does not name the table as expected");
                continue;
            }
            String sql = t.definition().substring(0, at) + " ON " + table + " " + t.definition().substring(at + on.length());
            if (run(c, a, notes, "trigger " + t.name(), sql)) {
                String state = switch (t.enabled()) {
                    case "D" -> "DISABLE";
                    case "R" -> "ENABLE REPLICA";
                    case "A" -> "ENABLE ALWAYS";
                    default -> null;
                };
                if (state != null) {
                    run(c, a, notes, "trigger " + t.name(), "ALTER TABLE " + table + " " + state + " TRIGGER " + q(t.name()));
                }
            }
        }
        return notes;
    }

    private static void grants(List<TableDefinition.Grant> acl, String what, Map<String, String> roles) {
        if (acl != null) {
            for (TableDefinition.Grant g : acl) {
                roles.putIfAbsent(g.grantee(), what);
            }
        }
    }

    /** The owner's own privileges come with ownership. */
    private static List<TableDefinition.Grant> nonOwner(List<TableDefinition.Grant> acl, String owner) {
        return acl == null ? List.of() : acl.stream().filter(g -> !g.grantee().equals(owner)).toList();
    }

    private static String grantee(TableDefinition.Grant g) {
        return "PUBLIC".equals(g.grantee()) ? "PUBLIC" : q(g.grantee());
    }

    private static String command(String polcmd) {
        return switch (polcmd) {
            case "r" -> "SELECT";
            case "a" -> "INSERT";
            case "w" -> "UPDATE";
            case "d" -> "DELETE";
            default -> "ALL";
        };
    }

    private static boolean exists(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static boolean run(Connection c, TableDefinition a, List<String> notes, String what, String sql) throws SQLException {
        return DefinitionErrors.attempt(c, a.tableId(), what, sql, notes, false);
    }
}
