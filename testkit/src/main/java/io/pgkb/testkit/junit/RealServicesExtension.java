package io.pgkb.testkit.junit;

import io.pgkb.testkit.LocalKafka;
import io.pgkb.testkit.LocalPostgres;
import io.pgkb.testkit.internal.KafkaServer;
import io.pgkb.testkit.internal.PostgresServer;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Parameter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives tests a real PostgreSQL and a real Kafka broker, started lazily once per test JVM and stopped
 * when the JVM's tests are done.
 *
 * <p>Parameters it resolves (constructor, lifecycle and test methods):
 * <ul>
 *   <li>{@link TestDatabase}: a fresh database for the test class (a {@code @Nested} class shares its enclosing class's);</li>
 *   <li>{@link TestKafka}: the broker with a topic prefix for the test class (shared the same way);</li>
 *   <li>{@link LocalPostgres}, {@link LocalKafka}: the servers themselves, for restart tests;</li>
 *   <li>{@code LocalS3}: an S3 endpoint, started on first request (needs s3proxy on the test class path).</li>
 * </ul>
 *
 * <p>With {@code -Dpgkb.it.services=testcontainers} and a Docker engine, PostgreSQL and Kafka come from
 * Testcontainers instead (the module then needs org.testcontainers:postgresql and :kafka in test scope);
 * tests that ask for {@link LocalPostgres} or {@link LocalKafka} are then disabled, as containers cannot be
 * restarted on the same port.
 *
 * <p>Test classes in one JVM share the servers and must run sequentially (the default). A broker or server
 * a test left stopped is started again after that test.
 */
public final class RealServicesExtension implements ParameterResolver, ExecutionCondition, AfterEachCallback {
    private static final Logger log = LoggerFactory.getLogger(RealServicesExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RealServicesExtension.class);
    private static final String LOCAL_S3 = "io.pgkb.testkit.LocalS3";
    private static final Set<Class<?>> LOCAL_ONLY = Set.of(LocalPostgres.class, LocalKafka.class);
    public static final String SERVICES_PROPERTY = "pgkb.it.services";

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == TestDatabase.class || type == TestKafka.class || type == LocalPostgres.class
                || type == LocalKafka.class || type.getName().equals(LOCAL_S3);
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
        Class<?> type = parameterContext.getParameter().getType();
        Services services = services(context);
        ExtensionContext classContext = classContext(context);
        ExtensionContext.Store classStore = classContext.getStore(NAMESPACE);
        String className = classContext.getRequiredTestClass().getName();
        if (type == TestDatabase.class) {
            return classStore.getOrComputeIfAbsent(TestDatabase.class, k -> services.newDatabase(className), TestDatabase.class);
        }
        if (type == TestKafka.class) {
            return classStore.getOrComputeIfAbsent(TestKafka.class, k -> services.newTestKafka(className), TestKafka.class);
        }
        if (type.getName().equals(LOCAL_S3)) {
            return services.localS3();
        }
        if (services.containers()) {
            throw new ParameterResolutionException(type.getSimpleName()
                    + " is not available with " + SERVICES_PROPERTY + "=testcontainers");
        }
        return type == LocalPostgres.class ? services.localPostgres() : services.localKafka();
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (!services(context).containers()) {
            return ConditionEvaluationResult.enabled("local services");
        }
        Optional<Executable> executable = context.getTestMethod().map(m -> (Executable) m);
        if (executable.isEmpty()) {
            executable = context.getTestClass()
                    .flatMap(c -> Arrays.stream(c.getDeclaredConstructors()).findFirst().map(k -> (Constructor<?>) k));
        }
        boolean needsLocal = executable.stream().flatMap(e -> Arrays.stream(e.getParameters()))
                .map(Parameter::getType).anyMatch(LOCAL_ONLY::contains);
        return needsLocal
                ? ConditionEvaluationResult.disabled("needs a restartable local server; not with testcontainers")
                : ConditionEvaluationResult.enabled("no local-only parameters");
    }

    @Override
    public void afterEach(ExtensionContext context) {
        services(context).restoreAfterTest(context.getDisplayName());
    }

    private static Services services(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Services.class, k -> new Services(), Services.class);
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }

    /** Lower-case simple class name with only [a-z0-9] kept, at most 40 characters. */
    static String shortName(String className, char separator) {
        String simple = className.substring(className.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder();
        for (char ch : simple.toCharArray()) {
            if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
                sb.append(ch);
            } else if (sb.length() > 0 && sb.charAt(sb.length() - 1) != separator) {
                sb.append(separator);
            }
        }
        return sb.length() > 40 ? sb.substring(0, 40) : sb.toString();
    }

    /** The JVM-wide servers. Closed by JUnit when the root context closes, i.e. after all tests. */
    static final class Services implements AutoCloseable {
        private final boolean containers;
        private int counter;
        private LocalPostgres localPostgres;
        private LocalKafka localKafka;
        private AutoCloseable localS3;
        private AutoCloseable containerServices;
        private PostgresServer postgres;
        private KafkaServer kafka;

        Services() {
            this.containers = useContainers();
        }

        private static boolean useContainers() {
            if (!"testcontainers".equalsIgnoreCase(System.getProperty(SERVICES_PROPERTY, ""))) {
                return false;
            }
            try {
                if (io.pgkb.testkit.internal.ContainerServices.dockerAvailable()) {
                    return true;
                }
                log.warn("{}=testcontainers but no Docker engine answers; using local services", SERVICES_PROPERTY);
            } catch (NoClassDefFoundError e) {
                log.warn("{}=testcontainers but Testcontainers is not on the test class path ({}); using local services",
                        SERVICES_PROPERTY, e.getMessage());
            }
            return false;
        }

        boolean containers() {
            return containers;
        }

        synchronized PostgresServer postgres() {
            if (postgres == null) {
                postgres = containers ? containerServices().postgres() : localPostgres();
            }
            return postgres;
        }

        synchronized KafkaServer kafka() {
            if (kafka == null) {
                kafka = containers ? containerServices().kafka() : localKafka();
            }
            return kafka;
        }

        private io.pgkb.testkit.internal.ContainerServices containerServices() {
            if (containerServices == null) {
                containerServices = new io.pgkb.testkit.internal.ContainerServices();
            }
            return (io.pgkb.testkit.internal.ContainerServices) containerServices;
        }

        synchronized LocalPostgres localPostgres() {
            if (localPostgres == null) {
                localPostgres = LocalPostgres.start();
            }
            return localPostgres;
        }

        synchronized LocalKafka localKafka() {
            if (localKafka == null) {
                localKafka = LocalKafka.start();
            }
            return localKafka;
        }

        synchronized Object localS3() {
            if (localS3 == null) {
                localS3 = S3Starter.start();
            }
            return localS3;
        }

        synchronized TestDatabase newDatabase(String className) {
            PostgresServer server = postgres();
            String name = "it" + (++counter) + "_" + shortName(className, '_');
            Properties props = new Properties();
            props.setProperty("user", server.user());
            props.setProperty("password", server.password());
            String url = "jdbc:postgresql://" + server.host() + ":" + server.port() + "/postgres";
            try (Connection c = DriverManager.getConnection(url, props); Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + name);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
            }
            return new TestDatabase(server, name);
        }

        synchronized TestKafka newTestKafka(String className) {
            return new TestKafka(kafka(), "it" + (++counter) + "-" + shortName(className, '-'));
        }

        synchronized void restoreAfterTest(String test) {
            if (kafka != null && !kafka.isBrokerRunning()) {
                log.warn("test={} left the Kafka broker stopped; starting it again", test);
                kafka.startBroker();
            }
            if (localKafka != null && !localKafka.isRunning()) {
                log.warn("test={} left the Kafka broker stopped; starting it again", test);
                localKafka.startAgain();
            }
            if (localPostgres != null && !localPostgres.isRunning()) {
                log.warn("test={} left PostgreSQL stopped; starting it again", test);
                localPostgres.startAgain();
            }
        }

        @Override
        public synchronized void close() throws Exception {
            Exception failure = null;
            for (AutoCloseable c : new AutoCloseable[] {localS3, localKafka, localPostgres, containerServices}) {
                if (c == null) {
                    continue;
                }
                try {
                    c.close();
                } catch (Exception e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** Keeps the reference to LocalS3 (and so to s3proxy) out of classes loaded by every test. */
    private static final class S3Starter {
        static AutoCloseable start() {
            try {
                return (AutoCloseable) Class.forName(LOCAL_S3).getMethod("start").invoke(null);
            } catch (ReflectiveOperationException | LinkageError e) {
                throw new IllegalStateException("cannot start LocalS3 (is org.gaul:s3proxy on the test class path?): " + e, e);
            }
        }
    }
}
