package io.pgkb.producer.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgkb.producer.SchemaRegistrySettings;
import io.pgkb.schemas.Messages;
import io.pgkb.schemas.Outage;
import io.pgkb.schemas.PgkbException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers schemas under subjects of a registry speaking the Confluent REST API ({@code POST
 * /subjects/<subject>/versions}), which answers the schema's id (the same id again for a schema it already holds).
 * An unreachable or failing registry is waited for, never skipped: the record that needs the id is not written
 * meanwhile, so nothing after the last written record is confirmed (invariant 1); it says so once a minute.
 */
public final class RegistryClient {
    private static final Logger log = LoggerFactory.getLogger(RegistryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final long MAX_BACKOFF_MILLIS = 10_000;

    private final SchemaRegistrySettings settings;
    private final HttpClient http;
    private final String authorization;
    private final BooleanSupplier stopping;

    public RegistryClient(SchemaRegistrySettings settings, BooleanSupplier stopping) {
        this.settings = settings;
        this.stopping = stopping;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (settings.truststore() != null) {
            b.sslContext(sslContext(settings));
        }
        this.http = b.build();
        this.authorization = settings.userInfo() == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(settings.userInfo().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The registry's id of the schema under the subject, registering it as the subject's next version if new.
     *
     * @throws PgkbException.ConfigException when the subject's compatibility rule refuses it, or the registry refuses
     *                                       our credentials (exit 2)
     */
    public int register(String subject, Schema schema) {
        String body;
        try {
            body = JSON.writeValueAsString(JSON.createObjectNode().put("schema", schema.toString()));
        } catch (IOException e) {
            throw new IllegalStateException(e); // a string node always serialises
        }
        HttpRequest request = request(subjectPath(subject) + "/versions")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> r = sendWaiting(request, "registering a schema under subject " + subject);
        if (r.statusCode() == 409) {
            throw incompatible(subject, r.body());
        }
        checkAuthorized(r);
        if (r.statusCode() / 100 != 2) {
            throw new PgkbException.FatalException("schema registry " + settings + " refused a schema under subject "
                    + subject + ": HTTP " + r.statusCode() + " " + Messages.firstLine(r.body()));
        }
        JsonNode id = parse(r.body()).get("id");
        if (id == null || !id.canConvertToInt()) {
            throw new PgkbException.FatalException("schema registry " + settings + " answered without an id for subject "
                    + subject + ": " + Messages.firstLine(r.body()));
        }
        return id.intValue();
    }

    /**
     * The schema the registry gives this id ({@code GET /schemas/ids/<id>}), null when it knows no such id.
     *
     * @throws PgkbException.ConfigException when the registry refuses our credentials or certificate (exit 2)
     */
    public Schema schemaById(int id) {
        HttpResponse<String> r = sendWaiting(request("/schemas/ids/" + Integer.toUnsignedString(id)).GET().build(),
                "reading the schema of id " + id);
        if (r.statusCode() == 404) {
            return null;
        }
        checkAuthorized(r);
        if (r.statusCode() / 100 != 2) {
            throw new PgkbException.FatalException("schema registry " + settings + " refused to give the schema of id "
                    + id + ": HTTP " + r.statusCode() + " " + Messages.firstLine(r.body()));
        }
        JsonNode schema = parse(r.body()).get("schema");
        try {
            return schema == null ? null : new Schema.Parser().parse(schema.asText());
        } catch (SchemaParseException e) {
            return null; // not one of ours: no Avro schema
        }
    }

    /**
     * Asks the registry for its default compatibility rule: an unreachable registry is waited for, a refused
     * credential or certificate is exit 2, before the producer writes anything.
     */
    public String defaultCompatibility() {
        HttpResponse<String> r = sendWaiting(request("/config").GET().build(), "reading the registry's compatibility rule");
        checkAuthorized(r);
        return r.statusCode() / 100 == 2 ? compatibilityOf(r.body()) : "?";
    }

    /** The subject's compatibility rule, falling back to the registry's global one. */
    String compatibility(String subject) {
        HttpResponse<String> r = sendWaiting(request("/config/" + encode(subject) + "?defaultToGlobal=true").GET().build(),
                "reading the compatibility rule of subject " + subject);
        if (r.statusCode() == 404) {
            r = sendWaiting(request("/config").GET().build(), "reading the registry's compatibility rule");
        }
        return r.statusCode() / 100 == 2 ? compatibilityOf(r.body()) : "?";
    }

    private String compatibilityOf(String body) {
        JsonNode n = parse(body);
        JsonNode level = n.has("compatibilityLevel") ? n.get("compatibilityLevel") : n.get("compatibility");
        return level == null ? "?" : level.asText();
    }

    private PgkbException incompatible(String subject, String answer) {
        String rule = compatibility(subject);
        return new PgkbException.ConfigException("schema registry " + settings + " refuses the new schema of subject "
                + subject + " under its compatibility rule " + rule + " (after an ALTER TABLE: pgkb names each row"
                + " schema version apart, so only NONE accepts every change; registry said: " + Messages.firstLine(answer)
                + "); set the subject's rule to NONE (PUT " + settings + "/config/" + encode(subject)
                + " {\"compatibility\":\"NONE\"}) and start the producer again");
    }

    private void checkAuthorized(HttpResponse<String> r) {
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new PgkbException.ConfigException("schema registry " + settings + " refused access (HTTP "
                    + r.statusCode() + "): check " + SchemaRegistrySettings.USER_INFO + " in --schema-registry-config");
        }
    }

    /** Sends until an answer that is not a server error comes back; connection failures and 5xx are waited out. */
    private HttpResponse<String> sendWaiting(HttpRequest request, String what) {
        long backoff = 200;
        Outage outage = new Outage();
        while (true) {
            String problem;
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (r.statusCode() < 500 && r.statusCode() != 408 && r.statusCode() != 429) {
                    long lasted = outage.ended(System.nanoTime());
                    if (lasted >= 0) {
                        log.info("schema registry {} answers again after {} s", settings, lasted);
                    }
                    return r;
                }
                problem = "HTTP " + r.statusCode() + " " + Messages.firstLine(r.body());
            } catch (IOException e) {
                refuseUntrusted(e);
                problem = e.getMessage() == null ? e.toString() : Messages.firstLine(e.getMessage()) + " (" + e.getClass().getSimpleName() + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PgkbException.RetriableException("interrupted while " + what, e);
            }
            if (stopping.getAsBoolean()) {
                throw new PgkbException.RetriableException("stopped while waiting for schema registry " + settings, null);
            }
            long now = System.nanoTime();
            if (outage.failed(now) != Outage.Say.NOTHING) {
                log.warn("schema registry {} unavailable while {} for {} s: {}; waiting (records that need the schema are"
                        + " not written, nothing after the last written record is confirmed)", settings, what,
                        outage.seconds(now), problem);
            }
            try {
                Thread.sleep(backoff); // a retry interval, not synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PgkbException.RetriableException("interrupted while " + what, e);
            }
            backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        }
    }

    /**
     * A certificate the client does not accept (an unknown CA, a name it was not issued for, expired) is no outage
     * to wait out: one line, exit 2.
     */
    private void refuseUntrusted(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException) {
                throw new PgkbException.ConfigException("schema registry " + settings + ": its TLS certificate is not"
                        + " accepted (" + Messages.firstLine(String.valueOf(t.getMessage())) + "); "
                        + (settings.truststore() == null ? "name the CA that signed it in --schema-registry-config ("
                        + SchemaRegistrySettings.TRUSTSTORE + ")"
                        : "check that " + SchemaRegistrySettings.TRUSTSTORE + " " + settings.truststore()
                        + " holds the CA that signed it and that the certificate names the URL's host"));
            }
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(settings.url() + path)).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", CONTENT_TYPE).header("Accept", CONTENT_TYPE + ", application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    private static String subjectPath(String subject) {
        return "/subjects/" + encode(subject);
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new PgkbException.FatalException("schema registry " + settings + " answered no JSON: " + Messages.firstLine(body), e);
        }
    }

    private static SSLContext sslContext(SchemaRegistrySettings s) {
        try (InputStream in = Files.newInputStream(s.truststore())) {
            KeyStore ks;
            if ("PEM".equalsIgnoreCase(s.truststoreType())) { // as Kafka's clients take it: CA certificates in PEM
                ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                int n = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    ks.setCertificateEntry("ca-" + n++, c);
                }
                if (n == 0) {
                    throw new CertificateException("no PEM certificate in it");
                }
            } else {
                ks = KeyStore.getInstance(s.truststoreType());
                ks.load(in, s.truststorePassword());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new PgkbException.ConfigException("--schema-registry-config: cannot load truststore " + s.truststore()
                    + ": " + Messages.firstLine(String.valueOf(e.getMessage())));
        }
    }
}
