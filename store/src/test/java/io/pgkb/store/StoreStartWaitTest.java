package io.pgkb.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.schemas.PgkbException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class StoreStartWaitTest {
    @TempDir
    Path dir;

    @Test
    void aStoreThatDoesNotAnswerAtStartIsWaitedForUntilItDoes() throws IOException {
        FileSystemStore store = new FileSystemStore(dir);
        AtomicInteger attempts = new AtomicInteger();
        ObjectStore s = StoreStartWait.open(() -> {
            if (attempts.incrementAndGet() <= 3) {
                throw failure(SdkClientException.create("Unable to execute HTTP request: Connection refused"));
            }
            return store;
        }, Duration.ofMillis(1));
        assertThat(s).isSameAs(store);
        assertThat(attempts).hasValue(4);
    }

    @Test
    void aServerErrorIsWaitedOutButAStoreThatAnswersNoIsAnErrorAtOnce() {
        assertThat(StoreStartWait.unreachable(failure(s3(503)))).isTrue();
        assertThat(StoreStartWait.unreachable(failure(s3(403)))).isFalse(); // credentials refused
        assertThat(StoreStartWait.unreachable(failure(s3(404)))).isFalse(); // no such bucket
        assertThat(StoreStartWait.unreachable(new PgkbException.ConfigException("encrypted archive, no key"))).isFalse();

        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> StoreStartWait.open(() -> {
            attempts.incrementAndGet();
            throw failure(s3(403));
        }, Duration.ofMillis(1))).isInstanceOf(PgkbException.FatalException.class);
        assertThat(attempts).hasValue(1);
    }

    /** As {@link StoreOptions#openArchive} reports a store it could not read. */
    private static PgkbException failure(Exception cause) {
        return new PgkbException.FatalException("cannot read s3://b/p/: " + cause.getMessage(), new IOException(cause));
    }

    private static S3Exception s3(int status) {
        return (S3Exception) S3Exception.builder().statusCode(status).message("status " + status).build();
    }
}
