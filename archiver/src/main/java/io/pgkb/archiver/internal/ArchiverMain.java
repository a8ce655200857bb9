package io.pgkb.archiver.internal;

import io.pgkb.archiver.ArchiveCommand;
import io.pgkb.schemas.PgkbException;
import picocli.CommandLine;

/**
 * Runs {@code archive} as its own process (tests start several in separate JVMs). The real command line is
 * {@code io.pgkb.cli.Main}; this mirrors its contract: one line and the exit code for pgkb errors.
 */
public final class ArchiverMain {
    private ArchiverMain() {
    }

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new ArchiveCommand());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof PgkbException p) {
                System.err.println("pgkb archive: " + p.getMessage());
                return p.exitCode();
            }
            throw e;
        });
        System.exit(cl.execute(args));
    }
}
