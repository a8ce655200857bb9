package io.pgkb.schemas.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    private final AtomicLong now = new AtomicLong();

    private String text() {
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void plainModePrintsALinePerIntervalWithRateAndEta() {
        ProgressReporter p = new ProgressReporter("restore public.t", out, false, Duration.ofSeconds(10), now::get);
        p.start(1000, "rows");
        now.set(Duration.ofSeconds(5).toNanos());
        p.advance(100); // before the interval: silent
        now.set(Duration.ofSeconds(10).toNanos());
        p.advance(100);
        now.set(Duration.ofSeconds(12).toNanos());
        p.advance(100); // within the next interval: silent
        now.set(Duration.ofSeconds(30).toNanos());
        p.advance(300);
        p.done();
        assertThat(text().lines().toList()).containsExactly(
                "restore public.t: started, 1000 rows to go",
                "restore public.t: 200 of 1000 rows (20%), 20 rows/s, ETA 40s",
                "restore public.t: 600 of 1000 rows (60%), 20 rows/s, ETA 20s",
                "restore public.t: done 600 rows in 30s (20 rows/s)");
    }

    @Test
    void unknownTotalHasNoPercentageOrEta() {
        ProgressReporter p = new ProgressReporter("dump", out, false, Duration.ofSeconds(1), now::get);
        p.start(-1, "bytes");
        now.set(Duration.ofSeconds(2).toNanos());
        p.advance(3 * 1024 * 1024);
        assertThat(text().lines().toList()).containsExactly("dump: started", "dump: 3.0 MiB, 1.5 MiB/s");
    }

    @Test
    void terminalModeRedrawsOneLineWithABar() {
        ProgressReporter p = new ProgressReporter("load", out, true, Duration.ofSeconds(10), now::get);
        p.start(100, "rows");
        now.set(Duration.ofSeconds(1).toNanos());
        p.advance(50);
        now.set(Duration.ofSeconds(2).toNanos());
        p.advance(50);
        p.done();
        String s = text();
        assertThat(s).startsWith("\rload: [###############...............] 50 of 100 rows (50%), 50 rows/s, ETA 1.0s");
        assertThat(s).contains("\rload: done 100 rows in 2.0s (50 rows/s)");
        assertThat(s.chars().filter(c -> c == '\n').count()).isEqualTo(1); // redraws stay on one terminal line
        assertThat(s).endsWith(System.lineSeparator());
    }

    @Test
    void advanceFromManyThreadsCountsEverything() throws Exception {
        ProgressReporter p = ProgressReporter.plain("x", out, Duration.ofMillis(1));
        p.start(-1, "rows");
        Thread[] ts = new Thread[4];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = new Thread(() -> {
                for (int j = 0; j < 10_000; j++) {
                    p.advance(1);
                }
            });
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        p.done();
        assertThat(p.count()).isEqualTo(40_000);
        assertThat(text()).contains("done 40000 rows");
    }
}
