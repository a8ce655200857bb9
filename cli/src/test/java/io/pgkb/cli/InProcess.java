package io.pgkb.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs {@code pgkb} in this JVM with its stdout and stderr captured. */
final class InProcess {
    record Result(int code, String out, String err) {
        /** As a run of the jar, for its assertions (this JVM's logs do not go to {@code err}). */
        PgkbJar.Run asRun() {
            return new PgkbJar.Run(code, out, err.lines().toList());
        }
    }

    private InProcess() {
    }

    static Result run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
