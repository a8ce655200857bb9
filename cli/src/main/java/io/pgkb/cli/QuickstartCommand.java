package io.pgkb.cli;

import io.pgkb.schemas.PgkbException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pgkb quickstart}: the whole chain on a real local PostgreSQL and Kafka, in one process. */
@Command(name = "quickstart", sortOptions = false,
        description = "Run the whole pipeline on a real local PostgreSQL and Kafka: workload, capture, archive, dump, mark, point-in-time restore.")
public final class QuickstartCommand implements Callable<Integer> {
    @Option(names = "--keep", description = "leave PostgreSQL and Kafka running (connection strings printed) until Ctrl-C")
    boolean keep;

    @Override
    public Integer call() {
        throw new PgkbException.FatalException("quickstart is not available in this build");
    }
}
