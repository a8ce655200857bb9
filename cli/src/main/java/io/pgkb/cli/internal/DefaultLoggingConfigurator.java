package io.pgkb.cli.internal;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Found by Logback through the service loader before it looks for XML: classes that log while the command line
 * is still being parsed get the same stderr text format, never Logback's default (stdout, DEBUG). Steps aside when
 * the JVM has its own Logback configuration.
 */
public final class DefaultLoggingConfigurator extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        // a JVM that brings its own configuration (benchmarks, the Kafka broker's child JVM, tests) keeps it
        ClassLoader cl = Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : DefaultLoggingConfigurator.class.getClassLoader();
        if (System.getProperty("logback.configurationFile") != null || cl.getResource("logback-test.xml") != null
                || cl.getResource("logback.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        Logging.configure(context, Logging.Format.TEXT, Logging.LogLevel.INFO, new Logging.CurrentStderr());
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
