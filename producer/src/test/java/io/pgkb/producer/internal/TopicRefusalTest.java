package io.pgkb.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.schemas.PgkbException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class TopicRefusalTest {
    private static final String TOPIC = "pgkb.public.t";

    @Test
    void aRefusalAskingAgainCannotChangeIsExitTwoInOneLineNamingTheTopicAndTheFix() {
        assertConfig(new InvalidTopicException("Topic name is invalid: it can't be longer than 249 characters\nmore"),
                "shorten the table's or schema's name or --topic-prefix");
        assertConfig(new PolicyViolationException("topics must be created by the platform team"), "create.topic.policy");
        assertConfig(new TopicAuthorizationException("Not authorized to access topics: [" + TOPIC + "]"), "grant this principal CREATE");
        assertConfig(new InvalidConfigurationException("Invalid value 99999999999 for configuration max.message.bytes"),
                "--max-message-bytes");
    }

    @Test
    void whatMayPassIsRetried() {
        // a broker restarting in a rolling restart leaves fewer brokers than the replication factor for a while
        assertRetried(new InvalidReplicationFactorException("only 2 broker(s) are registered"));
        assertRetried(new NotControllerException("moved"));
        assertRetried(new TimeoutException("60 s"));
    }

    private static void assertConfig(Throwable cause, String fix) {
        PgkbException e = TopicRefusal.of(TOPIC, cause);
        assertThat(e).isInstanceOf(PgkbException.ConfigException.class).hasCause(cause);
        assertThat(e.exitCode()).isEqualTo(2);
        assertThat(e.getMessage()).startsWith("Kafka refuses to create topic " + TOPIC + ": ").contains(fix).doesNotContain("\n");
    }

    private static void assertRetried(Throwable cause) {
        PgkbException e = TopicRefusal.of(TOPIC, cause);
        assertThat(e).isInstanceOf(PgkbException.RetriableException.class).hasCause(cause);
        assertThat(e.getMessage()).contains(TOPIC);
    }
}
