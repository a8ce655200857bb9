package io.pgkb.producer.internal;

import io.pgkb.producer.SchemaRegistrySettings;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.SingleObjectCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registry-mode prefix stays with one schema registry (DESIGN §14): its records carry that registry's ids, and
 * another registry gives the same ids to other schemas, so a consumer (and the archive's {@code registry-<id>} map)
 * would read records with the wrong schema. The registry is recognised by what its ids mean, not by its URL (a URL
 * changes behind a load balancer or a DNS move; a replica or a restored copy holds the same ids): at start the
 * registry must give a sample of the prefix's ids to the schemas {@code _schemas} records for them, and every id
 * it hands out later must not name another schema than {@code _schemas} does.
 */
public final class RegistryIdentity {
    private static final Logger log = LoggerFactory.getLogger(RegistryIdentity.class);
    /** Ids checked at start: the oldest, the newest and those between, evenly; one request each. */
    static final int SAMPLE = 32;

    private final String prefix;
    private final SchemaRegistrySettings settings;
    private final String recorded;
    private final Map<Integer, Long> known;

    /**
     * @param known    the prefix's {@code registry-<id>} records: id to fingerprint
     * @param recorded the URL of the prefix's registry as recorded in {@code _schemas}, null when none is
     */
    public RegistryIdentity(String prefix, SchemaRegistrySettings settings, Map<Integer, Long> known, String recorded) {
        this.prefix = prefix;
        this.settings = settings;
        this.recorded = recorded;
        this.known = new ConcurrentHashMap<>(known);
    }

    /**
     * Checks the registry against the prefix's ids.
     *
     * @return whether the registry's URL is to be recorded (a new prefix, or the same ids under a new URL)
     * @throws PgkbException.ConfigException (exit 2) when the registry gives one of them to another schema or knows
     *                                       it not
     */
    public boolean verify(RegistryClient registry) {
        for (int id : sample()) {
            Schema s = registry.schemaById(id);
            long fp = known.get(id);
            if (s == null || SingleObjectCodec.fingerprint64(s) != fp) {
                throw refusal(id, s == null ? "knows no id " + id
                        : "gives id " + id + " to schema " + s.getFullName() + " " + SingleObjectCodec.fingerprint(s)
                        + ", not to " + SingleObjectCodec.hex(fp));
            }
        }
        boolean moved = !settings.url().toString().equals(recorded);
        if (moved && recorded != null) {
            log.info("schema registry of prefix {} is now reached at {} (was {}): it gives the prefix's ids to the same"
                    + " schemas ({} checked)", prefix, settings, recorded, Math.min(SAMPLE, known.size()));
        }
        return moved;
    }

    /**
     * An id the registry just gave a schema: refused when {@code _schemas} records it for another schema.
     *
     * @throws PgkbException.ConfigException (exit 2)
     */
    public void accept(int id, long fingerprint) {
        Long before = known.putIfAbsent(id, fingerprint);
        if (before != null && before != fingerprint) {
            throw refusal(id, "gives id " + id + " to schema " + SingleObjectCodec.hex(fingerprint) + ", not to "
                    + SingleObjectCodec.hex(before));
        }
    }

    List<Integer> sample() {
        List<Integer> ids = new ArrayList<>(new TreeSet<>(known.keySet()));
        if (ids.size() <= SAMPLE) {
            return ids;
        }
        TreeSet<Integer> picked = new TreeSet<>();
        for (int i = 0; i < SAMPLE; i++) {
            picked.add(ids.get((int) ((long) i * (ids.size() - 1) / (SAMPLE - 1))));
        }
        return List.copyOf(picked);
    }

    private PgkbException refusal(int id, String what) {
        return new PgkbException.ConfigException("topic prefix " + prefix + " holds the schema ids of schema registry "
                + (recorded == null ? "it was first produced with" : recorded) + " (" + prefix + "._schemas), but "
                + settings + " " + what + ": a prefix keeps one registry for its life. Give --schema-registry that"
                + " registry, or one holding its schemas under the same ids (a replica or a restore of its storage),"
                + " or produce to a new --topic-prefix with its own --slot");
    }
}
