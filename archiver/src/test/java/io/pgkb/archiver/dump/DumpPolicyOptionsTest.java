package io.pgkb.archiver.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class DumpPolicyOptionsTest {
    @Command(name = "t")
    static final class Host {
        @Mixin
        DumpPolicyOptions options = new DumpPolicyOptions();
    }

    private static DumpPolicyOptions parse(String... args) {
        Host h = new Host();
        new CommandLine(h).parseArgs(args);
        return h.options;
    }

    @Test
    void defaultsAndParsing() {
        DumpPolicy p = parse().policy();
        assertThat(p.interval()).isEqualTo(Duration.ofHours(24));
        assertThat(p.afterChanges()).isEqualTo(1_000_000);
        assertThat(p.retention()).isEqualTo(new RetentionPolicy(3, null));

        DumpPolicy q = parse("--dump-interval", "0s", "--dump-after-changes", "0", "--keep-dumps", "0",
                "--keep-dumps-for", "7d").policy();
        assertThat(q.interval()).isNull();
        assertThat(q.afterChanges()).isZero();
        assertThat(q.retention()).isEqualTo(new RetentionPolicy(0, Duration.ofDays(7)));
    }

    @Test
    void errorsNameTheOption() {
        assertThatThrownBy(() -> parse("--dump-interval", "soon").validate())
                .isInstanceOf(PgkbException.ConfigException.class).hasMessageStartingWith("--dump-interval:");
        assertThatThrownBy(() -> parse("--keep-dumps", "-1").validate()).hasMessageStartingWith("--keep-dumps:");
        assertThatThrownBy(() -> parse("--keep-dumps-for", "0s").validate()).hasMessageStartingWith("--keep-dumps-for:");
        assertThatThrownBy(() -> parse("--dump-check-interval", "0s").validate()).hasMessageStartingWith("--dump-check-interval:");
    }

    @Test
    void lockKeysDifferPerTableAndPrefix() {
        TableId a = new TableId("public", "a");
        assertThat(DumpLock.key("pgkb", a)).isEqualTo(DumpLock.key("pgkb", new TableId("public", "a")));
        assertThat(DumpLock.key("pgkb", a)).isNotEqualTo(DumpLock.key("other", a));
        // "a.b"."c" and "a"."b.c" must not share a lock
        assertThat(DumpLock.key("pgkb", new TableId("a.b", "c"))).isNotEqualTo(DumpLock.key("pgkb", new TableId("a", "b.c")));
    }
}
