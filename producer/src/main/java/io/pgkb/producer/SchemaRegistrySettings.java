package io.pgkb.producer;

import io.pgkb.schemas.PgkbException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;

/**
 * Where registry mode (DESIGN §14) registers schemas: a registry speaking the Confluent REST API, with the client
 * settings of {@code --schema-registry-config}, named as Confluent's own clients name them:
 * {@code basic.auth.user.info} ({@code user:password}), {@code schema.registry.ssl.truststore.location},
 * {@code schema.registry.ssl.truststore.password}, {@code schema.registry.ssl.truststore.type} (default PKCS12; also
 * JKS, or PEM: a file of CA certificates, as Kafka's clients take it).
 */
public record SchemaRegistrySettings(URI url, String userInfo, Path truststore, char[] truststorePassword,
                                     String truststoreType) {
    public static final String USER_INFO = "basic.auth.user.info";
    public static final String TRUSTSTORE = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    private static final Set<String> KNOWN = Set.of(USER_INFO, TRUSTSTORE, TRUSTSTORE_PASSWORD, TRUSTSTORE_TYPE,
            "basic.auth.credentials.source");

    /** Settings for a URL without a config file. */
    public static SchemaRegistrySettings of(String url) {
        return parse(url, null);
    }

    /** @throws PgkbException.ConfigException naming the option and what is wrong (exit 2) */
    public static SchemaRegistrySettings parse(String url, Path configFile) {
        URI uri;
        try {
            uri = new URI(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (URISyntaxException e) {
            throw new PgkbException.ConfigException("--schema-registry: '" + url + "' is not a URL: " + e.getReason());
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new PgkbException.ConfigException("--schema-registry: '" + url + "' is not an http:// or https:// URL");
        }
        if (uri.getUserInfo() != null) {
            throw new PgkbException.ConfigException("--schema-registry: put credentials in --schema-registry-config ("
                    + USER_INFO + "=user:password), not in the URL, where they would show in logs");
        }
        Properties p = new Properties();
        if (configFile != null) {
            try (InputStream in = Files.newInputStream(configFile)) {
                p.load(in);
            } catch (IOException e) {
                throw new PgkbException.ConfigException("--schema-registry-config: cannot read " + configFile + ": " + e);
            }
            for (String key : p.stringPropertyNames()) {
                if (!KNOWN.contains(key)) {
                    throw new PgkbException.ConfigException("--schema-registry-config: " + configFile + ": unknown setting '"
                            + key + "' (known: " + String.join(", ", KNOWN.stream().sorted().toList()) + ")");
                }
            }
        }
        String userInfo = p.getProperty(USER_INFO);
        if (userInfo != null && !userInfo.contains(":")) {
            throw new PgkbException.ConfigException("--schema-registry-config: " + USER_INFO + " must be user:password");
        }
        String store = p.getProperty(TRUSTSTORE);
        Path truststore = store == null ? null : Path.of(store);
        if (truststore != null && !Files.isReadable(truststore)) {
            throw new PgkbException.ConfigException("--schema-registry-config: " + TRUSTSTORE + " " + truststore + " is not a readable file");
        }
        String password = p.getProperty(TRUSTSTORE_PASSWORD);
        return new SchemaRegistrySettings(uri, userInfo, truststore, password == null ? null : password.toCharArray(),
                p.getProperty(TRUSTSTORE_TYPE, "PKCS12"));
    }

    @Override
    public String toString() {
        return url.toString(); // never the credentials
    }
}
