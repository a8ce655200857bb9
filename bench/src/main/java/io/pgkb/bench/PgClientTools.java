package io.pgkb.bench;

import io.pgkb.testkit.LocalPostgres;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Runs PostgreSQL's client programs (pgbench) against a testkit server, as the benchmarks need them. */
public final class PgClientTools {
    private PgClientTools() {
    }

    /** Runs {@code cmd} with the server's host, port and user added; returns its output, throws on a non-zero exit. */
    public static String run(LocalPostgres pg, List<String> cmd) throws Exception {
        List<String> full = new ArrayList<>(cmd);
        full.addAll(1, List.of("-h", "localhost", "-p", Integer.toString(pg.port()), "-U", pg.user()));
        ProcessBuilder b = new ProcessBuilder(full).redirectErrorStream(true);
        b.environment().put("PGPASSWORD", pg.password()); // the environment, not the command line other users can see
        Process proc = b.start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.append(line).append('\n');
            }
        }
        if (proc.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out.toString();
    }
}
