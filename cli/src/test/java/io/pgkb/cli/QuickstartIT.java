package io.pgkb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pgkb quickstart} end to end: real PostgreSQL, real Kafka, producer, archiver, dump, mark, restore, md5. */
class QuickstartIT {
    @Test
    void restoresTheDemoTablesAtTheMarkIdenticalToTheSource(@TempDir Path dir) throws Exception {
        long started = System.nanoTime();
        InProcess.Result r = InProcess.run("quickstart", "--data-dir", dir.resolve("qs").toString(), "--workload-duration", "6s");
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        List<String> rows = r.out().lines().filter(l -> l.startsWith("shop.")).toList();
        assertThat(rows).hasSize(2).allSatisfy(l -> assertThat(l).endsWith("MATCH"));
        // both columns show the same row count and md5, and the tables are not trivially empty
        for (String l : rows) {
            String[] f = l.split("\\s+");
            assertThat(f[1]).isEqualTo(f[3]);
            assertThat(f[2]).isEqualTo(f[4]).matches("[0-9a-f]{32}");
            assertThat(Long.parseLong(f[1])).isPositive();
        }
        assertThat(r.out()).contains("mark 'quickstart-mark'", "dump taken", "Where everything is:");
        assertThat(Files.list(dir.resolve("qs/archive/pgkb/v1/tables")).map(p -> p.getFileName().toString()))
                .contains("shop.accounts", "shop.orders");
        assertThat(r.err()).doesNotContain("\tat ");
        System.out.printf("quickstart took %.1fs%n", seconds);
        assertThat(seconds).as("quickstart must stay under 2 minutes").isLessThan(120);
    }

    @Test
    void refusesADataDirItDidNotMake(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("precious.txt"), "keep me");
        InProcess.Result r = InProcess.run("quickstart", "--data-dir", dir.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).doesNotContain("\n").contains("--data-dir", "not made by pgkb quickstart");
        assertThat(dir.resolve("precious.txt")).hasContent("keep me");
    }
}
