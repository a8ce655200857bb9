package io.pgkb.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.schemas.PgkbException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ArchiveCommandTest {
    private static ArchiverConfig parse(String... extra) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", "localhost:9092", "--store", "/tmp/archive"));
        args.addAll(List.of(extra));
        ArchiveCommand cmd = new ArchiveCommand();
        new CommandLine(cmd).parseArgs(args.toArray(String[]::new));
        return cmd.validate();
    }

    @Test
    void defaultsFollowTheContract() {
        ArchiverConfig c = parse();
        assertThat(c.group()).isEqualTo("pgkb-archiver");
        assertThat(c.topicPrefix()).isEqualTo("pgkb");
        assertThat(c.segmentMaxBytes()).isEqualTo(64L << 20);
        assertThat(c.segmentMaxAge()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.onBadRecord()).isEqualTo(ArchiverConfig.BadRecordPolicy.FAIL);
        assertThat(c.kafka()).containsEntry("bootstrap.servers", "localhost:9092");
    }

    @Test
    void optionsAreParsedWithUnits() {
        ArchiverConfig c = parse("--segment-max-bytes", "8MiB", "--segment-max-age", "500ms", "--segment-max-records", "10",
                "--on-bad-record", "quarantine", "--group", "g", "--topic-prefix", "shop");
        assertThat(c.segmentMaxBytes()).isEqualTo(8L << 20);
        assertThat(c.segmentMaxAge()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.segmentMaxRecords()).isEqualTo(10);
        assertThat(c.onBadRecord()).isEqualTo(ArchiverConfig.BadRecordPolicy.QUARANTINE);
        assertThat(c.group()).isEqualTo("g");
        assertThat(c.topicPrefix()).isEqualTo("shop");
    }

    @Test
    void errorsNameTheOption() {
        assertThatThrownBy(() -> parse("--segment-max-bytes", "lots")).isInstanceOf(PgkbException.ConfigException.class)
                .hasMessageStartingWith("--segment-max-bytes:");
        assertThatThrownBy(() -> parse("--segment-max-age", "0s")).isInstanceOf(PgkbException.ConfigException.class)
                .hasMessageStartingWith("--segment-max-age:");
        assertThatThrownBy(() -> parse("--on-bad-record", "skip")).isInstanceOf(PgkbException.ConfigException.class)
                .hasMessageStartingWith("--on-bad-record:");
        assertThatThrownBy(() -> parse("--topic-prefix", "a b")).isInstanceOf(PgkbException.ConfigException.class)
                .hasMessageStartingWith("--topic-prefix:");
        assertThatThrownBy(() -> parse("--s3-endpoint", "not a url")).isInstanceOf(PgkbException.ConfigException.class)
                .hasMessageStartingWith("--s3-endpoint:");
        assertThatThrownBy(() -> parse("--s3-part-size", "1MiB")).isInstanceOf(PgkbException.ConfigException.class)
                .hasMessageStartingWith("--s3-part-size:");
        assertThatThrownBy(() -> parse("--kafka-config", "/nonexistent/kafka.properties"))
                .isInstanceOf(PgkbException.ConfigException.class).hasMessageStartingWith("--kafka-config:");
    }

    @Test
    void topicPatternMatchesTableProgressAndSchemaTopicsOfThePrefixOnly() {
        var p = Archiver.topicPattern("pgkb");
        assertThat(p.matcher("pgkb.public.orders").matches()).isTrue();
        assertThat(p.matcher("pgkb._22Weird_20Name_22.order__items").matches()).isTrue();
        assertThat(p.matcher("pgkb._progress").matches()).isTrue();
        assertThat(p.matcher("pgkb._schemas").matches()).isTrue();
        assertThat(p.matcher("pgkbx.public.orders").matches()).isFalse();
        assertThat(p.matcher("other.public.orders").matches()).isFalse();
        assertThat(p.matcher("pgkb.a.b.c").matches()).isFalse();
    }
}
