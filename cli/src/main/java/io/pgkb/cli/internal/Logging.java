package io.pgkb.cli.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import io.pgkb.schemas.NonClosingOutputStream;
import java.io.OutputStream;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Configures Logback in code (no XML to get wrong): one appender on stderr, stdout stays for command output.
 * Libraries are kept at WARN unless the operator asked for trace, because their INFO chatter (every Kafka client
 * configuration, every connection) buries what pgkb itself says.
 */
public final class Logging {
    public enum Format { TEXT, JSON }

    public enum LogLevel {
        TRACE(Level.TRACE), DEBUG(Level.DEBUG), INFO(Level.INFO), WARN(Level.WARN), ERROR(Level.ERROR);

        final Level level;

        LogLevel(Level level) {
            this.level = level;
        }
    }

    private static final List<String> CHATTY_LIBRARIES = List.of(
            "org.apache.kafka", "kafka", "org.postgresql", "io.zonky", "software.amazon", "org.apache.avro",
            "org.eclipse.jetty", "org.gaul", "io.netty", "org.apache.http");

    private Logging() {
    }

    /** Logs to whatever System.err is at the time of each event (tests swap it). */
    public static void configure(Format format, LogLevel level) {
        configure(format, level, new CurrentStderr());
    }

    public static void configure(Format format, LogLevel level, OutputStream err) {
        configure(format, level, err, true);
    }

    /**
     * @param connectionWarnings whether the Kafka client's warnings about unreachable brokers are shown (rate
     *                           limited): yes for long-running services, which would otherwise wait in silence; no
     *                           for one-shot commands, which end with one line naming the broker anyway
     */
    public static void configure(Format format, LogLevel level, boolean connectionWarnings) {
        configure(format, level, new CurrentStderr(), connectionWarnings);
    }

    public static void configure(Format format, LogLevel level, OutputStream err, boolean connectionWarnings) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            configure(context, format, level, err);
            if (!connectionWarnings && level.level.levelInt > Level.TRACE_INT) {
                for (String name : List.of("org.apache.kafka.clients.NetworkClient", "org.apache.kafka.clients.ClientUtils")) {
                    // OFF, not ERROR: a refused TLS handshake or SASL login is logged as an ERROR by the client and
                    // then ends the command with its one line anyway
                    context.getLogger(name).setLevel(Level.OFF);
                }
            }
        } // else another SLF4J provider won the classpath; leave it alone
    }

    static void configure(LoggerContext context, Format format, LogLevel level, OutputStream err) {
        context.reset();
        boolean debug = level.level.levelInt <= Level.DEBUG_INT;

        LayoutBase<ILoggingEvent> layout = format == Format.JSON ? new JsonLayout(debug) : new TextLayout(debug);
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setLayout(layout);
        encoder.setContext(context);
        encoder.start();

        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setName("stderr");
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setImmediateFlush(true);
        appender.setOutputStream(new NonClosingOutputStream(err));
        appender.start();

        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(level.level);
        root.addAppender(appender);
        Level libraries = level.level.levelInt <= Level.TRACE_INT ? Level.TRACE : Level.toLevel(Math.max(level.level.levelInt, Level.WARN_INT));
        for (String name : CHATTY_LIBRARIES) {
            context.getLogger(name).setLevel(libraries);
        }
        if (!libraries.equals(Level.TRACE)) {
            RepeatedWarningFilter repeated = new RepeatedWarningFilter("org.apache.kafka.clients", 60_000);
            repeated.setContext(context);
            repeated.start();
            context.addTurboFilter(repeated);
        }
    }

    static final class CurrentStderr extends OutputStream {
        @Override
        public void write(int b) {
            System.err.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            System.err.write(b, off, len);
        }

        @Override
        public void flush() {
            System.err.flush();
        }
    }
}
