package io.pgkb.cli;

import io.pgkb.archiver.ArchiveCommand;
import io.pgkb.archiver.dump.DumpCommand;
import io.pgkb.producer.ProduceCommand;
import io.pgkb.restorer.HistoryCommand;
import io.pgkb.restorer.ListCommand;
import io.pgkb.restorer.RestoreCommand;
import io.pgkb.restorer.VerifyCommand;
import io.pgkb.store.encryption.KeygenCommand;
import java.util.List;

/** The subcommands of {@code pgkb}, in the order {@code pgkb --help} lists them (the order of the data flow). */
final class Commands {
    private Commands() {
    }

    static List<Object> all() {
        return List.of(
                new ProduceCommand(),
                new ArchiveCommand(),
                new DumpCommand(),
                new RestoreCommand(),
                new ListCommand(),
                new VerifyCommand(),
                new HistoryCommand(),
                new InspectCommand(),
                new KeygenCommand(),
                new QuickstartCommand());
    }
}
