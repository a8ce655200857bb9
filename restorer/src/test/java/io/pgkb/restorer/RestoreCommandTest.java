package io.pgkb.restorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.schemas.PgkbException;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class RestoreCommandTest {
    private static RestoreCommand parse(String... args) {
        RestoreCommand c = new RestoreCommand();
        new CommandLine(c).parseArgs(args);
        return c;
    }

    private static final String[] BASE = {"--store", "/tmp/x", "--target", "postgresql://u@localhost/db", "--tables", "public.t"};

    private static String[] with(String... more) {
        String[] all = new String[BASE.length + more.length];
        System.arraycopy(BASE, 0, all, 0, BASE.length);
        System.arraycopy(more, 0, all, BASE.length, more.length);
        return all;
    }

    @Test
    void exactlyOneRestorePoint() {
        assertThatThrownBy(() -> parse(with()).validate()).isInstanceOf(PgkbException.ConfigException.class)
                .hasMessageContaining("--to-lsn");
        assertThatThrownBy(() -> parse(with("--latest", "--to-mark", "m")).validate()).isInstanceOf(PgkbException.ConfigException.class);
        parse(with("--latest")).validate();
    }

    @Test
    void badValuesNameTheirOption() {
        assertThatThrownBy(() -> parse(with("--to-lsn", "16-B3")).validate()).hasMessageStartingWith("--to-lsn");
        assertThatThrownBy(() -> parse(with("--to-time", "2026-11-21 13:00")).validate()).hasMessageStartingWith("--to-time");
        assertThatThrownBy(() -> parse(with("--latest", "--parallel", "0")).validate()).hasMessageStartingWith("--parallel");
        assertThatThrownBy(() -> parse(with("--latest", "--load-connections", "0")).validate()).hasMessageStartingWith("--load-connections");
    }

    @Test
    void timesNeedAZone() {
        assertThat(PointOptions.parseTime("--to-time", "2026-11-21T13:00:00Z")).isEqualTo(Instant.parse("2026-11-21T13:00:00Z"));
        assertThat(PointOptions.parseTime("--to-time", "2026-11-21 14:00:00.5+01:00")).isEqualTo(Instant.parse("2026-11-21T13:00:00.500Z"));
    }
}
