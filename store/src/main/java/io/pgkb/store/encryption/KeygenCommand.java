package io.pgkb.store.encryption;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pgkb keygen [--rotate] FILE}: a new key file for --encryption-key-file, or a new primary key in one. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Write a new key file (mode 0600) for --encryption-key-file, or with --rotate add a new primary key to one:"
                + " new objects then use the new key, older objects stay readable. Back the file up: without it the archive"
                + " cannot be read.")
public final class KeygenCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The key file to create (or to rotate with --rotate)")
    Path file;

    @Option(names = "--rotate", description = "Add a new primary key to an existing key file; the older keys stay")
    boolean rotate;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        KeyFile keys = rotate ? KeyFile.rotate(file) : KeyFile.generate(file);
        PrintWriter out = spec.commandLine().getOut();
        String primary = KeyFile.idText(keys.primaryId());
        if (rotate) {
            out.println("added key id " + primary + " to " + keys.path() + " as the primary key; it holds key ids "
                    + keys.ids().stream().map(KeyFile::idText).toList() + ". New objects use " + primary
                    + "; objects written before stay readable with this file. Give the new file to every archiver and dump.");
        } else {
            out.println("wrote " + keys.path() + " (mode 0600) with key id " + primary + ". Back it up apart from the archive:"
                    + " without it nothing in an archive written with it can be read.");
        }
        out.flush();
        return 0;
    }
}
