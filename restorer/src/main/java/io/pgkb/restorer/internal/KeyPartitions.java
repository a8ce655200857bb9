package io.pgkb.restorer.internal;

import io.pgkb.schemas.ChangeRecord;
import io.pgkb.schemas.RowSchemas;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.schemas.TableId;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.utils.Utils;

/**
 * The partitions that can hold a key's records: the producer leaves partitioning to Kafka's default partitioner,
 * {@code toPositive(murmur2(key bytes)) % partitions}, and the key bytes are the single-object encoding of the key
 * record, so they are computed for every key schema the table ever had. Only for key columns of the types whose
 * encoding is their text read as a number or taken as is (integer, smallint, bigint, text, character varying);
 * anything else answers null: read all partitions.
 */
final class KeyPartitions {
    private static final Set<String> PLAIN = Set.of("integer", "smallint", "bigint", "text", "character varying");

    private KeyPartitions() {
    }

    /** @return the partitions, or null when they cannot be computed */
    static Set<Integer> of(TableId table, Map<String, String> key, Collection<Schema> schemas, int partitions) {
        String namespace = RowSchemas.namespace(table);
        Set<Integer> out = new TreeSet<>();
        for (Schema s : schemas) {
            if (s.getType() != Schema.Type.RECORD || !namespace.equals(s.getNamespace()) || !s.getName().startsWith("Key")) {
                continue;
            }
            byte[] bytes = encode(s, key);
            if (bytes == null) {
                return null;
            }
            out.add(Utils.toPositive(Utils.murmur2(bytes)) % partitions);
        }
        return out.isEmpty() ? null : out;
    }

    private static byte[] encode(Schema s, Map<String, String> key) {
        if (s.getFields().size() != key.size()) {
            return null;
        }
        GenericRecord r = new GenericData.Record(s);
        for (Schema.Field f : s.getFields()) {
            String text = key.get(ChangeRecord.columnName(f));
            Schema t = f.schema();
            if (t.getType() == Schema.Type.UNION) {
                t = t.getTypes().stream().filter(b -> b.getType() != Schema.Type.NULL).findFirst().orElse(null);
            }
            Object type = f.getObjectProp(RowSchemas.PROP_TYPE);
            if (text == null || t == null || type == null || !PLAIN.contains(type.toString().replaceAll("\\(.*\\)$", ""))) {
                return null;
            }
            try {
                switch (t.getType()) {
                    case INT -> r.put(f.pos(), Integer.parseInt(text));
                    case LONG -> r.put(f.pos(), Long.parseLong(text));
                    case STRING -> r.put(f.pos(), text);
                    default -> {
                        return null;
                    }
                }
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return SingleObjectCodec.encode(s, r);
    }
}
