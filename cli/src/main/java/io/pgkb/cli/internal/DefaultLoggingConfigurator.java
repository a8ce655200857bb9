package io.pgkb.cli.internal;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Found by Logback through the service loader before it looks for XML: classes that log while the command line
 * is still being parsed get the same stderr text format, never Logback's default (stdout, DEBUG).
 */
public final class DefaultLoggingConfigurator extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        Logging.configure(context, Logging.Format.TEXT, Logging.LogLevel.INFO, new Logging.CurrentStderr());
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
