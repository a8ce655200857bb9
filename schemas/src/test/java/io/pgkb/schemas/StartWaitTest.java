package io.pgkb.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class StartWaitTest {
    private static final Exception UNREACHABLE = new IOException("connection refused");

    private static StartWait wait(AtomicBoolean stopping) {
        return new StartWait(LoggerFactory.getLogger(StartWaitTest.class), "the service", "", Duration.ofMillis(1), stopping::get);
    }

    @Test
    void retriesWhileTheServiceDoesNotAnswerAndReturnsItsAnswer() {
        AtomicInteger attempts = new AtomicInteger();
        String answer = wait(new AtomicBoolean()).until(() -> {
            if (attempts.incrementAndGet() <= 3) {
                throw UNREACHABLE;
            }
            return "up";
        }, e -> e == UNREACHABLE ? null : new IllegalStateException(e));
        assertThat(answer).isEqualTo("up");
        assertThat(attempts).hasValue(4);
    }

    @Test
    void aRefusalIsThrownAtOnce() {
        AtomicInteger attempts = new AtomicInteger();
        PgkbException refused = new PgkbException.ConfigException("password authentication failed");
        assertThatThrownBy(() -> wait(new AtomicBoolean()).until(() -> {
            attempts.incrementAndGet();
            throw new IOException("no");
        }, e -> refused)).isSameAs(refused);
        assertThat(attempts).hasValue(1);
    }

    @Test
    void stoppingEndsTheWait() {
        AtomicBoolean stopping = new AtomicBoolean();
        assertThatThrownBy(() -> wait(stopping).until(() -> {
            stopping.set(true);
            throw UNREACHABLE;
        }, e -> null)).isInstanceOf(PgkbException.RetriableException.class).hasMessageContaining("stopped while waiting for the service");
    }
}
