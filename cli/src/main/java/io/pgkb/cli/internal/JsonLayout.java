package io.pgkb.cli.internal;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per line: {@code time}, {@code level}, {@code logger}, {@code thread}, {@code message}, the
 * event's key/value pairs as fields, {@code error} (exception and causes on one line) and, at debug level,
 * {@code stack_trace}. Values are masked before encoding, so a secret cannot hide behind JSON escaping.
 * (Logback's JsonEncoder writes every stack frame of every error as JSON and escapes '/', which defeats masking.)
 */
public final class JsonLayout extends LayoutBase<ILoggingEvent> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final boolean withStackTraces;

    public JsonLayout(boolean withStackTraces) {
        this.withStackTraces = withStackTraces;
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        ObjectNode n = JSON.createObjectNode();
        n.put("time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
        n.put("level", event.getLevel().toString());
        n.put("logger", event.getLoggerName());
        n.put("thread", event.getThreadName());
        n.put("message", Secrets.mask(event.getFormattedMessage()));
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair kv : event.getKeyValuePairs()) {
                if (kv.value instanceof Number num) {
                    n.set(kv.key, JSON.valueToTree(num));
                } else if (kv.value instanceof Boolean b) {
                    n.put(kv.key, b);
                } else {
                    n.put(kv.key, Secrets.mask(String.valueOf(kv.value)));
                }
            }
        }
        IThrowableProxy t = event.getThrowableProxy();
        if (t != null) {
            n.put("error", Secrets.mask(TextLayout.summary(t)));
            if (withStackTraces) {
                n.put("stack_trace", Secrets.mask(ThrowableProxyUtil.asString(t)));
            }
        }
        return n.toString() + CoreConstants.LINE_SEPARATOR;
    }
}
