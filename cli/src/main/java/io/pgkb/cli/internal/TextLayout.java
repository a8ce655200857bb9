package io.pgkb.cli.internal;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.slf4j.event.KeyValuePair;

/**
 * One line per event: {@code 2026-01-31T12:00:00.123Z INFO  producer - confirmed lsn=0/16B3748 k=v}. Key/value
 * pairs given through SLF4J's fluent API are appended as {@code key=value}; an exception becomes
 * {@code error="Class: message"} (its stack trace only when {@code withStackTraces}, i.e. --log-level debug).
 */
public final class TextLayout extends LayoutBase<ILoggingEvent> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final boolean withStackTraces;

    public TextLayout(boolean withStackTraces) {
        this.withStackTraces = withStackTraces;
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder sb = new StringBuilder(160);
        sb.append(TIME.format(Instant.ofEpochMilli(event.getTimeStamp()))).append(' ');
        String level = event.getLevel().toString();
        sb.append(level);
        for (int i = level.length(); i < 5; i++) {
            sb.append(' ');
        }
        sb.append(' ').append(shortName(event.getLoggerName())).append(" - ");
        sb.append(OneLine.of(event.getFormattedMessage()));
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair kv : event.getKeyValuePairs()) {
                sb.append(' ').append(kv.key).append('=').append(quoteIfNeeded(String.valueOf(kv.value)));
            }
        }
        IThrowableProxy t = event.getThrowableProxy();
        if (t != null) {
            sb.append(" error=").append(quoteIfNeeded(summary(t)));
        }
        String line = Secrets.mask(sb.toString());
        if (t != null && withStackTraces) {
            return line + CoreConstants.LINE_SEPARATOR + Secrets.mask(ThrowableProxyUtil.asString(t)) + CoreConstants.LINE_SEPARATOR;
        }
        return line + CoreConstants.LINE_SEPARATOR;
    }

    /** The exception and its causes, outermost first, on one line. */
    static String summary(IThrowableProxy t) {
        StringBuilder sb = new StringBuilder();
        int depth = 0;
        for (IThrowableProxy p = t; p != null && depth < 5; p = p.getCause(), depth++) {
            if (depth > 0) {
                sb.append(" <- ");
            }
            sb.append(simpleName(p.getClassName()));
            if (p.getMessage() != null) {
                sb.append(": ").append(OneLine.of(p.getMessage()));
            }
        }
        return sb.toString();
    }

    private static String simpleName(String className) {
        int dot = className.lastIndexOf('.');
        return dot >= 0 ? className.substring(dot + 1) : className;
    }

    /** The last component of the logger name: components name loggers after their classes. */
    private static String shortName(String loggerName) {
        return loggerName == null ? "" : simpleName(loggerName);
    }

    static String quoteIfNeeded(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '"' || c == '=' || c < 0x20) {
                return '"' + OneLine.of(value).replace("\\", "\\\\").replace("\"", "\\\"") + '"';
            }
        }
        return value.isEmpty() ? "\"\"" : value;
    }
}
