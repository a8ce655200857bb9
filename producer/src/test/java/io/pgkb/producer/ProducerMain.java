package io.pgkb.producer;

import io.pgkb.schemas.PgkbException;
import picocli.CommandLine;

/** {@code produce} in a JVM of its own, for tests that kill it; prints expected failures as one line like the CLI. */
public final class ProducerMain {
    private ProducerMain() {
    }

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new ProduceCommand());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof PgkbException p) {
                System.err.println("pgkb produce: " + p.getMessage());
                return p.exitCode();
            }
            throw e;
        });
        System.exit(cl.execute(args));
    }
}
