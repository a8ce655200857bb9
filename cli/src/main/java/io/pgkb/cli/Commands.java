package io.pgkb.cli;

import java.util.List;

/** The subcommands of {@code pgkb}, in the order {@code pgkb --help} lists them. */
final class Commands {
    private Commands() {
    }

    static List<Object> all() {
        return List.of(
                new InspectCommand(),
                new QuickstartCommand());
    }
}
