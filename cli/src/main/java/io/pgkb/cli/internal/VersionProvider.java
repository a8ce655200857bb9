package io.pgkb.cli.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code pgkb --version}: our version and the versions that matter when reporting a problem. */
public final class VersionProvider implements IVersionProvider {
    public static String version() {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("/io/pgkb/cli/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // fall through to "unknown": --version must not fail
        }
        return p.getProperty("version", "unknown");
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "pgkb " + version(),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ") on "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch"),
            "Kafka clients " + org.apache.kafka.common.utils.AppInfoParser.getVersion()
                    + ", PostgreSQL JDBC " + org.postgresql.util.DriverInfo.DRIVER_VERSION,
        };
    }
}
