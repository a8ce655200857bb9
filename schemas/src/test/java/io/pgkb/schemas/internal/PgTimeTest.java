package io.pgkb.schemas.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PgTimeTest {
    private static final OffsetDateTime EPOCH = OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    private static final DateTimeFormatter PG = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");

    @Test
    void timestampsInPostgresShapesMatchJavaTime() {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 20_000; i++) {
            LocalDateTime local = LocalDateTime.of(r.nextInt(1, 10_000), r.nextInt(1, 13), 1, r.nextInt(24), r.nextInt(60),
                    r.nextInt(60)).plusDays(r.nextInt(31));
            int digits = r.nextInt(7);
            long micros = digits == 0 ? 0 : r.nextLong(1_000_000) / pow10(6 - digits) * pow10(6 - digits);
            StringBuilder text = new StringBuilder(PG.format(local));
            if (micros != 0) {
                text.append('.').append(String.format("%06d", micros), 0, digits);
            }
            int offsetSeconds = r.nextInt(4) == 0 ? r.nextInt(-15 * 3600, 15 * 3600 + 1) / 60 * 60 : 0;
            long expectedLocal = ChronoUnit.MICROS.between(EPOCH.toLocalDateTime(), local) + micros;
            assertThat(PgTime.parseTimestamp(text.toString(), false)).as(text.toString()).isEqualTo(expectedLocal);
            String withZone = text + offsetText(offsetSeconds);
            assertThat(PgTime.parseTimestamp(withZone, true)).as(withZone)
                    .isEqualTo(expectedLocal - offsetSeconds * 1_000_000L);
            long fromFormat = PgTime.parseTimestamp(PgTime.formatTimestamp(expectedLocal, true), true);
            assertThat(fromFormat).isEqualTo(expectedLocal);
        }
    }

    @Test
    void offsetsWithSecondsAndRareShapesStillParse() {
        assertThat(PgTime.parseTimestamp("1970-01-01 00:00:00+05:30:15", true)).isEqualTo(-(5 * 3600 + 30 * 60 + 15) * 1_000_000L);
        assertThat(PgTime.parseTimestamp("1970-01-01 00:00:00-01", true)).isEqualTo(3600 * 1_000_000L);
        assertThat(PgTime.parseTimestamp("1970-01-01 24:00:00", false)).isEqualTo(86_400_000_000L);
        assertThat(PgTime.parseTimestamp("0044-03-15 12:00:00 BC", false))
                .isEqualTo(PgTime.parseTimestamp(PgTime.formatTimestamp(PgTime.parseTimestamp("0044-03-15 12:00:00 BC", false), false), false));
        assertThat(PgTime.formatTimestamp(PgTime.parseTimestamp("12345-06-07 08:09:10.5+00", true), true)).isEqualTo("12345-06-07 08:09:10.5+00");
        assertThat(PgTime.parseTimestamp("infinity", true)).isEqualTo(Long.MAX_VALUE);
        assertThat(PgTime.parseTimestamp("-infinity", false)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void malformedTimestampsAreRefusedNamingTheText() {
        for (String bad : new String[] {"2026-02-30 00:00:00", "2026-13-01 00:00:00", "2026-01-01 00:60:00",
                "2026-01-01 00:00:00.", "2026-01-01 00:00:00.1234567", "2026-01-01 25:00:00", "2026-01-01 00:00:00+0",
                "2026-01-01 00:00:00+05:", "2026-01-01 00:00:0x", "0000-01-01 00:00:00"}) {
            assertThatThrownBy(() -> PgTime.parseTimestamp(bad, false)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad);
        }
        assertThatThrownBy(() -> PgTime.parseTimestamp("2026-01-01 00:00:00", true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PgTime.parseTimestamp("2026-01-01 00:00:00+00", false)).isInstanceOf(IllegalArgumentException.class);
    }

    private static String offsetText(int seconds) {
        int abs = Math.abs(seconds);
        String s = (seconds < 0 ? "-" : "+") + String.format("%02d", abs / 3600);
        return abs % 3600 == 0 ? s : s + String.format(":%02d", abs % 3600 / 60);
    }

    private static long pow10(int n) {
        long v = 1;
        for (int i = 0; i < n; i++) {
            v *= 10;
        }
        return v;
    }
}
