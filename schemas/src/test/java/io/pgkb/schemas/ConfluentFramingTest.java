package io.pgkb.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/** Registry mode's framing (DESIGN §14) is what stock Confluent serializers write, and pgkb's readers read it. */
class ConfluentFramingTest {
    private static final Schema SCHEMA = SingleObjectCodecTest.SCHEMA;

    /** A resolver that knows the schemas by fingerprint and the first by registry id 7, like {@code _schemas} in registry mode. */
    private static SchemaResolver resolver(Schema... schemas) {
        return new MapSchemaResolver(schemas).addRegistryId(7, schemas[0]);
    }

    /** What a Confluent serializer writes: 0, the id big-endian, the Avro binary datum. */
    private static byte[] confluentBytes(int id, GenericRecord r) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(new byte[] {(byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id});
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(r.getSchema()).write(r, enc);
        enc.flush();
        return out.toByteArray();
    }

    @Test
    void theSameDatumUnderEitherHeader() throws Exception {
        GenericRecord r = SingleObjectCodecTest.rec(42, "x");
        byte[] single = SingleObjectCodec.encode(SCHEMA, r);
        byte[] confluent = confluentBytes(7, r);
        assertThat(ConfluentFraming.fromSingleObject(single, 7)).containsExactly(confluent);
        assertThat(ConfluentFraming.header(7)).containsExactly(Arrays.copyOf(confluent, 5));
        assertThat(ConfluentFraming.isConfluent(confluent)).isTrue();
        assertThat(ConfluentFraming.isConfluent(single)).isFalse();
        assertThat(ConfluentFraming.schemaId(confluent)).isEqualTo(7);
        assertThat(ConfluentFraming.toSingleObject(confluent, resolver(SCHEMA))).containsExactly(single);
        assertThat(ConfluentFraming.toSingleObject(single, resolver(SCHEMA))).isSameAs(single);
        GenericRecord back = SingleObjectCodec.decode(confluent, resolver(SCHEMA));
        assertThat(back.get("a")).isEqualTo(42L);
        assertThat(back.get("b").toString()).isEqualTo("x");
    }

    @Test
    void anUnknownIdIsNamed() throws Exception {
        byte[] confluent = confluentBytes(8, SingleObjectCodecTest.rec(1, null));
        assertThatThrownBy(() -> SingleObjectCodec.decode(confluent, resolver(SCHEMA)))
                .isInstanceOf(CodecException.UnknownSchemaException.class).hasMessageContaining("schema registry id 8");
    }

    @Test
    void theDecoderRecognisesDdlRecordsInBothEncodings() {
        DdlEvent ddl = new DdlEvent(DdlEvent.FORMAT, 1, "ALTER TABLE", false, false, List.of(), "{}", "ALTER TABLE t",
                1, 2, 3, 4, 0, "public.t");
        byte[] single = ddl.encode();
        SchemaResolver ids = resolver(DdlEvent.SCHEMA);
        ChangeRecordDecoder decoder = new ChangeRecordDecoder(ids);
        for (byte[] value : List.of(single, ConfluentFraming.fromSingleObject(single, 7))) {
            assertThat(decoder.isDdl(value)).isTrue();
            assertThat(decoder.decodeDdl(value).commandTag()).isEqualTo("ALTER TABLE");
            assertThatThrownBy(() -> decoder.decode(value)).isInstanceOf(CodecException.class).hasMessageContaining("isDdl");
        }
        assertThat(new ChangeRecordDecoder(resolver(SCHEMA)).isDdl(SingleObjectCodec.encode(SCHEMA, SingleObjectCodecTest.rec(1, null))))
                .isFalse();
    }

    @Test
    void schemaTopicKeys() {
        assertThat(SchemaTopicKeys.registryId(12)).isEqualTo("registry-12");
        assertThat(SchemaTopicKeys.isRegistryId("registry-12")).isTrue();
        assertThat(SchemaTopicKeys.registryIdOf("registry-12")).isEqualTo(12);
        assertThat(SchemaTopicKeys.isRegistryId("registry-012")).isFalse();
        assertThat(SchemaTopicKeys.isRegistryId("registry-99999999999")).isFalse();
        assertThat(SchemaTopicKeys.isFingerprint(SingleObjectCodec.fingerprint(SCHEMA))).isTrue();
        assertThat(SchemaTopicKeys.isFingerprint(SchemaTopicKeys.ENCODING)).isFalse();
    }
}
