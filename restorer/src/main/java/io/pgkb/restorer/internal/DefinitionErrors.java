package io.pgkb.restorer.internal;

import io.pgkb.schemas.Messages;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.List;
import java.util.Set;

/**
 * A definition the target cannot create because something it names is missing there (a type from an extension, a
 * role, a tablespace, a function, a schema) is bad input, not a failure of pgkb: one line naming the object and
 * what to create first, exit 2.
 */
final class DefinitionErrors {
    /** undefined_object, undefined_function, undefined_table, invalid_schema_name. */
    private static final Set<String> MISSING = Set.of("42704", "42883", "42P01", "3F000");

    private DefinitionErrors() {
    }

    static boolean isMissingObject(SQLException e) {
        return MISSING.contains(e.getSQLState());
    }

    /** ConfigException for a missing object; the SQLException itself otherwise. */
    static SQLException orConfig(SQLException e, TableId table, String what) {
        if (isMissingObject(e)) {
            throw new PgkbException.ConfigException("table " + table + ": cannot create " + what + " in the target: "
                    + Messages.serverError(e) + "; create it there first (CREATE EXTENSION, CREATE TYPE, CREATE ROLE, "
                    + "CREATE TABLESPACE, … as on the source), then restore again");
        }
        return e;
    }

    /**
     * Runs one statement of a definition in a savepoint. A column the table no longer has (a definition older than a
     * DROP COLUMN) leaves the object out and notes it, as does any other failure when {@code anyFailureIsNote} (a
     * foreign key the rows violate); a missing type, function, role or tablespace is the operator's to create
     * (ConfigException); anything else fails the restore.
     */
    static boolean attempt(Connection c, TableId table, String what, String sql, List<String> notes, boolean anyFailureIsNote)
            throws SQLException {
        Savepoint sp = c.setSavepoint();
        try {
            Sql.exec(c, sql);
            c.releaseSavepoint(sp);
            return true;
        } catch (SQLException e) {
            c.rollback(sp);
            if ("42703".equals(e.getSQLState()) || anyFailureIsNote && !isMissingObject(e)) {
                notes.add(what + " not recreated: " + Messages.serverError(e));
                return false;
            }
            throw orConfig(e, table, what);
        }
    }
}
