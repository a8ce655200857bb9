package io.pgkb.testkit.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Java 21+ runtime for the child processes that need one (the schema registry), while pgkb and its tests run on
 * Java 17: {@code -Dpgkb.java21.home}, {@code $PGKB_JAVA21_HOME}, this JVM if it is 21+, a runtime under
 * {@code /usr/lib/jvm}, or {@code /opt/pgkb-java21} (where {@code .ci/java21.sh} unpacks one).
 */
public final class Java21 {
    private static final Pattern VERSION = Pattern.compile("version \"(\\d+)");
    private static volatile Path found;

    private Java21() {
    }

    public static Path home() {
        Path h = found;
        if (h == null) {
            h = find();
            found = h;
        }
        return h;
    }

    private static Path find() {
        List<Path> candidates = new ArrayList<>();
        String property = System.getProperty("pgkb.java21.home");
        if (property != null) {
            candidates.add(Paths.get(property));
        }
        String env = System.getenv("PGKB_JAVA21_HOME");
        if (env != null && !env.isBlank()) {
            candidates.add(Paths.get(env));
        }
        if (Runtime.version().feature() >= 21) {
            candidates.add(Paths.get(System.getProperty("java.home")));
        }
        Path jvms = Paths.get("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(jvms)) {
                List<Path> sorted = new ArrayList<>();
                dirs.forEach(sorted::add);
                sorted.sort(null);
                candidates.addAll(sorted);
            } catch (IOException ignored) {
                // nothing to find there
            }
        }
        candidates.add(Paths.get("/opt/pgkb-java21"));
        for (Path c : candidates) {
            if (feature(c) >= 21) {
                return c;
            }
        }
        throw new IllegalStateException("no Java 21+ runtime found (the schema registry needs one): looked at "
                + candidates + "; set PGKB_JAVA21_HOME or run .ci/java21.sh, which installs one");
    }

    /** The runtime's feature version from {@code java -version}, or 0 when there is no runnable java. */
    private static int feature(Path home) {
        Path java = home.resolve("bin").resolve("java");
        if (!Files.isExecutable(java)) {
            return 0;
        }
        try {
            Process p = new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            Matcher m = VERSION.matcher(out);
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
