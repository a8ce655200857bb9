package io.pgkb.cli.internal;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.config.PgUrl;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * Turns whatever ended a command into one line and an exit code. pgkb's own errors already say what and where;
 * for the low-level causes operators meet every day (a refused connection, a wrong password, a broker that does
 * not answer, a missing file) the line names the service as the operator gave it and says what to check.
 *
 * @param exitCode 1 runtime, 2 usage/configuration, 3 archive incomplete
 * @param message one line, secrets masked
 * @param expected false when nothing recognised the failure: worth a stack trace at debug level
 */
public record Failure(int exitCode, String message, boolean expected) {

    /** What the operator passed, to name it in the message: option name → value. */
    public static Failure of(Throwable thrown, Map<String, String> options) {
        Failure f = classify(thrown, options);
        return new Failure(f.exitCode, Secrets.mask(OneLine.of(f.message)), f.expected);
    }

    private static Failure classify(Throwable thrown, Map<String, String> options) {
        // pgkb's own exception wins wherever it sits: it was written for the operator
        for (Throwable t : chain(thrown)) {
            if (t instanceof PgkbException p) {
                String msg = p.getMessage() != null ? p.getMessage() : p.getClass().getSimpleName();
                msg = withRootCause(msg, p.getCause());
                if (p.exitCode() == PgkbException.RUNTIME && p.getCause() != null) {
                    // a runtime failure caused by the operator's configuration (a refused TLS handshake or login, a
                    // missing bucket, a read-only path) is configuration wherever it was wrapped; the message with its
                    // root cause already says what
                    Failure cause = lowLevel(p.getCause(), options);
                    if (cause != null && cause.exitCode == PgkbException.USAGE) {
                        return new Failure(PgkbException.USAGE, msg + s3Refusal(p.getCause()).map(h -> "; " + h).orElse(""), true);
                    }
                }
                return new Failure(p.exitCode(), msg, true);
            }
        }
        Failure known = lowLevel(thrown, options);
        if (known != null) {
            return known;
        }
        return new Failure(PgkbException.RUNTIME, "unexpected error: " + describe(thrown)
                + " (run with --log-level debug for the stack trace)", false);
    }

    /**
     * pgkb's messages usually carry the cause's text already; when the deepest cause says something the message
     * does not (an unknown host behind "the connection attempt failed"), it is appended.
     */
    private static String withRootCause(String msg, Throwable cause) {
        if (cause == null) {
            return msg;
        }
        Throwable root = cause;
        for (Throwable c : chain(cause)) {
            root = c;
        }
        if (root instanceof UnknownHostException u) {
            return msg.toLowerCase(Locale.ROOT).contains("unknown host") ? msg : msg + " (unknown host '" + u.getMessage() + "')";
        }
        if (root instanceof ConnectException && msg.toLowerCase(Locale.ROOT).contains("refused")) {
            return msg;
        }
        String rootMsg = root.getMessage() == null ? "" : OneLine.of(root.getMessage());
        int cut = rootMsg.indexOf(" | ");
        String first = cut > 0 ? rootMsg.substring(0, cut) : rootMsg;
        if (first.isEmpty() || msg.contains(first)) {
            return msg;
        }
        return msg + " (" + root.getClass().getSimpleName() + ": " + first + ")";
    }

    /** Known causes anywhere in the chain, most specific first. */
    private static Failure lowLevel(Throwable thrown, Map<String, String> options) {
        for (Throwable t : chain(thrown)) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return postgres(sql, options);
            }
        }
        for (Throwable t : chain(thrown)) {
            String cls = t.getClass().getName();
            String msg = t.getMessage() == null ? "" : t.getMessage();
            if (cls.equals("org.apache.kafka.common.errors.TimeoutException")
                    || cls.equals("org.apache.kafka.common.errors.DisconnectException")) {
                return new Failure(1, "Kafka at " + named(options, "--bootstrap-servers") + " did not answer in time (" + msg
                        + "); check --bootstrap-servers, that the broker is up, that its advertised listeners are reachable from here"
                        + " and --kafka-config for TLS/SASL settings", true);
            }
            if (cls.startsWith("org.apache.kafka.common.errors.") && (cls.endsWith("AuthenticationException") || cls.endsWith("AuthorizationException"))) {
                // TLS, SASL and ACLs are the operator's configuration: exit 2, as PostgreSQL's login
                PgkbException p = PgkbException.reachingKafka("Kafka at " + named(options, "--bootstrap-servers") + ": "
                        + withRootCause(msg, t.getCause()), t);
                return new Failure(p.exitCode(), p.getMessage(), true);
            }
            if (cls.equals("org.apache.kafka.common.config.ConfigException") && msg.contains("No resolvable bootstrap urls")) {
                return new Failure(1, "cannot resolve any host of --bootstrap-servers " + named(options, "--bootstrap-servers")
                        + "; check the host names and DNS", true);
            }
            if (cls.equals("org.apache.kafka.common.config.ConfigException")) {
                return new Failure(2, "invalid Kafka client configuration: " + msg + "; check --bootstrap-servers and --kafka-config", true);
            }
            if (t instanceof AwsServiceException aws && isRefusal(aws)) {
                // a missing bucket or refused credentials is configuration; retrying cannot help
                return new Failure(2, "object store " + named(options, "--store") + " " + s3Refusal(aws).orElseThrow(), true);
            }
            if (cls.startsWith("software.amazon.awssdk.") && (cls.endsWith("Exception"))) {
                return new Failure(1, "object store " + named(options, "--store") + " failed: " + msg
                        + "; check --store, --s3-endpoint and the AWS credentials (environment, profile or instance role)", true);
            }
        }
        for (Throwable t : chain(thrown)) {
            if (t instanceof UnknownHostException u) {
                return new Failure(1, "unknown host '" + u.getMessage() + "'" + where(options)
                        + "; check the host name and DNS", true);
            }
            if (t instanceof ConnectException c) {
                return new Failure(1, "connection refused: " + c.getMessage() + where(options)
                        + "; check host and port and that the service is running", true);
            }
            if (t instanceof NoSuchFileException n) {
                return new Failure(1, "no such file or directory: " + n.getFile()
                        + "; check the path given in --store, --kafka-config or --data-dir", true);
            }
            if (t instanceof AccessDeniedException a) {
                return new Failure(2, "permission denied: " + a.getFile() + "; check the owner and mode of that path", true);
            }
            if (t instanceof FileSystemException f && "Read-only file system".equals(f.getReason())) {
                return new Failure(2, "read-only file system: " + f.getFile() + "; give a writable path (or remount it read-write)", true);
            }
            if (t instanceof FileSystemException f) {
                return new Failure(1, "file system error on " + f.getFile() + ": " + f.getReason(), true);
            }
        }
        return null;
    }

    private static boolean isRefusal(AwsServiceException aws) {
        return aws.statusCode() == 403 || aws.statusCode() == 404 && isNoSuchBucket(aws);
    }

    /** What the store refused and what to check, when the chain holds a missing bucket or refused credentials. */
    private static Optional<String> s3Refusal(Throwable thrown) {
        for (Throwable t : chain(thrown)) {
            if (t instanceof AwsServiceException aws && isRefusal(aws)) {
                String code = aws.awsErrorDetails() == null ? "" : aws.awsErrorDetails().errorCode();
                return Optional.of("refused the request: " + code + " (HTTP " + aws.statusCode() + ")"
                        + (aws.statusCode() == 404
                        ? "; the bucket does not exist: create it or fix --store"
                        : "; check the AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profile or instance role), their"
                                + " permissions on the bucket, --s3-region and --s3-endpoint"));
            }
        }
        return Optional.empty();
    }

    private static boolean isNoSuchBucket(AwsServiceException e) {
        return e instanceof software.amazon.awssdk.services.s3.model.NoSuchBucketException
                || e.awsErrorDetails() != null && "NoSuchBucket".equals(e.awsErrorDetails().errorCode());
    }

    private static Failure postgres(SQLException e, Map<String, String> options) {
        String state = e.getSQLState();
        String msg = e.getMessage() == null ? state : e.getMessage();
        String server = named(options, "--pg", "--target");
        if (PgkbException.isTlsRejection(e)) {
            return new Failure(2, "cannot connect to PostgreSQL " + server + ": " + msg + PgkbException.TLS_HINT_PG, true);
        }
        if (state.startsWith("08")) {
            if (e.getCause() instanceof UnknownHostException u) {
                msg = msg + " unknown host '" + u.getMessage() + "'.";
            } else if (e.getCause() != null && e.getCause().getMessage() != null && !msg.contains(e.getCause().getMessage())) {
                msg = msg + " " + e.getCause().getMessage() + ".";
            }
            return new Failure(1, "cannot connect to PostgreSQL " + server + ": " + msg
                    + " (check the URL or PGHOST/PGPORT and that the server accepts TCP/IP connections)", true);
        }
        // login, database name and privileges are the operator's configuration: exit 2, as produce reports them
        if (state.equals("28P01") || state.equals("28000")) {
            return new Failure(2, "PostgreSQL " + server + " rejected the login: " + msg
                    + " (check the user and password in the URL, PGUSER/PGPASSWORD or ~/.pgpass, and pg_hba.conf)", true);
        }
        if (state.equals("3D000")) {
            return new Failure(2, "PostgreSQL " + server + ": " + msg + " (check the database name in the URL or PGDATABASE)", true);
        }
        if (state.equals("42501")) {
            return new Failure(2, "PostgreSQL " + server + ": " + msg + (options.containsKey("--target")
                    ? " (the restoring role needs CREATE on the target database or schema; see README.md)"
                    : " (pgkb needs a role with REPLICATION and SELECT on the tables; see README.md)"), true);
        }
        if (state.equals("25006")) {
            return new Failure(2, "PostgreSQL " + server + " is read-only: " + msg
                    + " (a hot standby, or default_transaction_read_only is on: restore into a writable primary)", true);
        }
        if (state.equals("55000") || state.equals("55006")) {
            return new Failure(1, "PostgreSQL " + server + ": " + msg
                    + " (logical replication needs wal_level=logical and free max_replication_slots/max_wal_senders)", true);
        }
        return new Failure(1, "PostgreSQL " + server + " error " + state + ": " + msg, true);
    }

    private static String named(Map<String, String> options, String... names) {
        for (String n : names) {
            String v = options.get(n);
            if (v != null) {
                return n.equals("--pg") || n.equals("--target") ? "'" + PgUrl.redact(v) + "'" : "'" + v + "'";
            }
        }
        return "(as configured)";
    }

    private static String where(Map<String, String> options) {
        StringBuilder sb = new StringBuilder();
        for (var e : options.entrySet()) {
            String v = e.getKey().equals("--pg") || e.getKey().equals("--target") ? PgUrl.redact(e.getValue()) : e.getValue();
            sb.append(sb.length() == 0 ? " (" : ", ").append(e.getKey()).append(' ').append(v);
        }
        return sb.length() == 0 ? "" : sb.append(')').toString();
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        for (Throwable c : chain(t)) {
            root = c;
        }
        String s = t.getClass().getName() + (t.getMessage() != null ? ": " + t.getMessage() : "");
        if (root != t) {
            s += " (cause: " + root.getClass().getName() + (root.getMessage() != null ? ": " + root.getMessage() : "") + ")";
        }
        return s;
    }

    private static Iterable<Throwable> chain(Throwable t) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> list = new ArrayList<>();
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            list.add(c);
        }
        return list;
    }
}
