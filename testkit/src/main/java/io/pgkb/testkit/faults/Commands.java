package io.pgkb.testkit.faults;

import java.util.List;

/** Runs one short pgkb command (dump, restore, verify) to its end and returns its exit code. */
@FunctionalInterface
public interface Commands {
    int run(List<String> args) throws Exception;
}
