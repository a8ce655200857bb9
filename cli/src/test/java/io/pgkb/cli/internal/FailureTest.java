package io.pgkb.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.schemas.PgkbException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class FailureTest {
    private static final Map<String, String> OPTS = Map.of("--pg", "postgresql://pgkb:secret99@db.internal:5433/app",
            "--bootstrap-servers", "kafka-1:9092,kafka-2:9092");

    @Test
    void authFailureNamesServerAndHintWithoutPassword() {
        Failure f = Failure.of(new RuntimeException(new SQLException("FATAL: password authentication failed for user \"pgkb\"", "28P01")), OPTS);
        assertThat(f.exitCode()).isEqualTo(2);
        assertThat(f.expected()).isTrue();
        assertThat(f.message()).contains("db.internal:5433", "rejected the login", "PGPASSWORD").doesNotContain("secret99");
    }

    @Test
    void connectionRefusedNamesTheServer() {
        Failure f = Failure.of(new SQLException("Connection to db.internal:5433 refused.", "08001",
                new ConnectException("Connection refused")), OPTS);
        assertThat(f.message()).startsWith("cannot connect to PostgreSQL 'postgresql://pgkb:***@db.internal:5433/app'");
    }

    @Test
    void kafkaTimeoutNamesBootstrapServers() {
        Failure f = Failure.of(new TimeoutException("Timed out waiting for a node assignment. Call: createTopics"), OPTS);
        assertThat(f.exitCode()).isEqualTo(1);
        assertThat(f.message()).contains("kafka-1:9092,kafka-2:9092", "advertised listeners");
    }

    @Test
    void refusedTlsAndLoginsAreConfiguration() {
        Failure pgCa = Failure.of(new SQLException("SSL error: PKIX path building failed", "08006",
                new javax.net.ssl.SSLHandshakeException("PKIX path building failed")), OPTS);
        assertThat(pgCa.exitCode()).isEqualTo(2);
        assertThat(pgCa.message()).contains("db.internal:5433", "sslrootcert");
        Failure kafkaCa = Failure.of(new org.apache.kafka.common.errors.SslAuthenticationException("SSL handshake failed",
                new javax.net.ssl.SSLHandshakeException("unable to find valid certification path")), OPTS);
        assertThat(kafkaCa.exitCode()).isEqualTo(2);
        assertThat(kafkaCa.message()).contains("kafka-1:9092", "ssl.truststore", "unable to find valid certification path");
        Failure sasl = Failure.of(new org.apache.kafka.common.errors.SaslAuthenticationException("invalid credentials"), OPTS);
        assertThat(sasl.exitCode()).isEqualTo(2);
        assertThat(sasl.message()).contains("sasl.jaas.config");
        Failure wrapped = Failure.of(PgkbException.reachingKafka("cannot reach Kafka at k:9093: invalid credentials",
                new org.apache.kafka.common.errors.SaslAuthenticationException("invalid credentials")), OPTS);
        assertThat(wrapped.exitCode()).isEqualTo(2);
        assertThat(Failure.of(PgkbException.reachingKafka("cannot reach Kafka", new TimeoutException("t")), OPTS).exitCode()).isEqualTo(1);
    }

    @Test
    void readOnlyTargetNoCreateAndUnwritableStoreAreConfiguration() {
        Map<String, String> restore = Map.of("--target", "postgresql://r@standby:5432/app", "--store", "/backups");
        Failure ro = Failure.of(new SQLException("ERROR: cannot execute CREATE TABLE in a read-only transaction", "25006"), restore);
        assertThat(ro.exitCode()).isEqualTo(2);
        assertThat(ro.message()).contains("standby:5432", "read-only", "hot standby");
        Failure noCreate = Failure.of(new SQLException("ERROR: permission denied for schema public", "42501"), restore);
        assertThat(noCreate.exitCode()).isEqualTo(2);
        assertThat(noCreate.message()).contains("CREATE");
        assertThat(Failure.of(new AccessDeniedException("/backups/pgkb"), restore).exitCode()).isEqualTo(2);
        Failure rofs = Failure.of(new FileSystemException("/backups/pgkb", null, "Read-only file system"), restore);
        assertThat(rofs.exitCode()).isEqualTo(2);
        assertThat(rofs.message()).contains("/backups/pgkb", "read-only");
    }

    @Test
    void missingBucketAndRefusedCredentialsAreConfiguration() {
        Map<String, String> s3 = Map.of("--store", "s3://backups/pgkb");
        var noBucket = software.amazon.awssdk.services.s3.model.NoSuchBucketException.builder().statusCode(404)
                .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder().errorCode("NoSuchBucket").build()).build();
        Failure missing = Failure.of(new IOException("cannot list", noBucket), s3);
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.message()).contains("s3://backups/pgkb", "bucket does not exist");
        var denied = software.amazon.awssdk.services.s3.model.S3Exception.builder().statusCode(403)
                .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder().errorCode("SignatureDoesNotMatch").build()).build();
        Failure refused = Failure.of(new IOException("cannot put", denied), s3);
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.message()).contains("s3://backups/pgkb", "SignatureDoesNotMatch", "credentials");
        // as the store reports it: pgkb's own line, with what the store refused and what to check added
        Failure wrapped = Failure.of(new PgkbException.FatalException("cannot list s3://backups/pgkb/pgkb/v1/: denied",
                new IOException("cannot list", denied)), s3);
        assertThat(wrapped.exitCode()).isEqualTo(2);
        assertThat(wrapped.message()).startsWith("cannot list s3://backups/pgkb/pgkb/v1/")
                .contains("SignatureDoesNotMatch (HTTP 403); check the AWS credentials");
        var unavailable = software.amazon.awssdk.services.s3.model.S3Exception.builder().statusCode(503).build();
        assertThat(Failure.of(new IOException("cannot put", unavailable), s3).exitCode()).isEqualTo(1);
    }

    @Test
    void pgkbExceptionWinsAndKeepsExitCode() {
        Failure f = Failure.of(new CompletionException(
                new PgkbException.ArchiveIncompleteException("no dump of public.t at or before 0/10")), OPTS);
        assertThat(f).isEqualTo(new Failure(3, "no dump of public.t at or before 0/10", true));
    }

    @Test
    void pgkbExceptionWithLowLevelCauseSaysBoth() {
        Failure f = Failure.of(new PgkbException.FatalException("cannot open replication slot pgkb",
                new SQLException("FATAL: password authentication failed", "28P01")), OPTS);
        assertThat(f.exitCode()).as("a wrong password is configuration wherever it was wrapped").isEqualTo(2);
        assertThat(f.message()).isEqualTo("cannot open replication slot pgkb (SQLException: FATAL: password authentication failed)");
    }

    @Test
    void pgkbMessageThatAlreadyNamesTheCauseIsNotRepeated() {
        Failure f = Failure.of(new PgkbException.FatalException("cannot reach PostgreSQL u@db:1/x: Connection to db:1 refused.",
                new SQLException("Connection to db:1 refused.", "08001", new ConnectException("Connection refused"))), OPTS);
        assertThat(f.message()).isEqualTo("cannot reach PostgreSQL u@db:1/x: Connection to db:1 refused.");
        Failure host = Failure.of(new PgkbException.FatalException("cannot connect to u@nohost:5432/x: The connection attempt failed.",
                new SQLException("The connection attempt failed.", "08001", new UnknownHostException("nohost"))), OPTS);
        assertThat(host.message()).endsWith("The connection attempt failed. (unknown host 'nohost')");
    }

    @Test
    void fileAndHostProblems() {
        assertThat(Failure.of(new NoSuchFileException("/etc/pgkb/kafka.properties"), Map.of()).message())
                .contains("/etc/pgkb/kafka.properties");
        assertThat(Failure.of(new RuntimeException(new UnknownHostException("minio.local")), Map.of("--store", "s3://b/p")).message())
                .contains("unknown host 'minio.local'", "--store s3://b/p");
    }

    @Test
    void unexpectedIsOneLineAndMarkedUnexpected() {
        Failure f = Failure.of(new IllegalStateException("line one\nline two", new ArithmeticException("/ by zero")), Map.of());
        assertThat(f.expected()).isFalse();
        assertThat(f.exitCode()).isEqualTo(1);
        assertThat(f.message()).doesNotContain("\n").contains("IllegalStateException", "line one | line two", "/ by zero");
    }
}
