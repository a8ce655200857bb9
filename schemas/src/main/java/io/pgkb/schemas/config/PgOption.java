package io.pgkb.schemas.config;

import io.pgkb.schemas.PgkbException;
import picocli.CommandLine.Option;

/** {@code --pg}: the PostgreSQL database a command reads (a picocli mixin). */
public final class PgOption {
    @Option(names = "--pg", paramLabel = "URL",
            description = "PostgreSQL: postgresql://user@host:5432/db or a JDBC URL; PGHOST, PGPORT, PGUSER, PGPASSWORD, "
                    + "PGDATABASE fill in the rest")
    String pg;

    /** Whether {@code --pg} was given (without it, {@link #url()} comes from the environment alone). */
    public boolean given() {
        return pg != null;
    }

    /** The connection; a ConfigException naming the option (exit 2) when it cannot be parsed. */
    public PgUrl url() {
        try {
            return PgUrl.parse(pg);
        } catch (IllegalArgumentException e) {
            throw new PgkbException.ConfigException("--pg: " + e.getMessage());
        }
    }
}
