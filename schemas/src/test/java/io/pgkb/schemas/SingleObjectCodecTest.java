package io.pgkb.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.junit.jupiter.api.Test;

class SingleObjectCodecTest {
    static final Schema SCHEMA = new Schema.Parser().parse(
            "{\"type\":\"record\",\"name\":\"T\",\"namespace\":\"x\",\"fields\":[{\"name\":\"a\",\"type\":\"long\"},"
                    + "{\"name\":\"b\",\"type\":[\"null\",\"string\"],\"default\":null}]}");

    static GenericRecord rec(long a, String b) {
        GenericData.Record r = new GenericData.Record(SCHEMA);
        r.put("a", a);
        r.put("b", b);
        return r;
    }

    @Test
    void layoutIsMarkerFingerprintLittleEndianThenDatum() {
        byte[] bytes = SingleObjectCodec.encode(SCHEMA, rec(1, "x"));
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        long fp = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(fp).isEqualTo(SchemaNormalization.parsingFingerprint64(SCHEMA));
        // datum: zigzag varint 1 -> 0x02, union branch 1 -> 0x02, string length 1 -> 0x02, 'x'
        assertThat(Arrays.copyOfRange(bytes, 10, bytes.length)).containsExactly(0x02, 0x02, 0x02, 'x');
    }

    @Test
    void fingerprintIs16LowerCaseHex() {
        String fp = SingleObjectCodec.fingerprint(SCHEMA);
        assertThat(fp).matches("[0-9a-f]{16}");
        assertThat(SingleObjectCodec.parseHex(fp)).isEqualTo(SchemaNormalization.parsingFingerprint64(SCHEMA));
        assertThat(SingleObjectCodec.hex(-1L)).isEqualTo("ffffffffffffffff");
        assertThat(SingleObjectCodec.hex(1L)).isEqualTo("0000000000000001");
    }

    @Test
    void roundTripThroughAResolver() {
        byte[] bytes = SingleObjectCodec.encode(SCHEMA, rec(42, null));
        GenericRecord back = SingleObjectCodec.decode(bytes, new MapSchemaResolver(SCHEMA));
        assertThat(back.get("a")).isEqualTo(42L);
        assertThat(back.get("b")).isNull();
        assertThat(SingleObjectCodec.fingerprintOf(bytes)).isEqualTo(SingleObjectCodec.fingerprint64(SCHEMA));
    }

    @Test
    void avrosOwnDecoderReadsOurBytes() throws Exception {
        byte[] bytes = SingleObjectCodec.encode(SCHEMA, rec(7, "y"));
        GenericRecord r = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), SCHEMA).decode(bytes);
        assertThat(r.get("a")).isEqualTo(7L);
        assertThat(r.get("b").toString()).isEqualTo("y");
    }

    @Test
    void aRealChangeEnvelopeRoundTrips() {
        ChangeEnvelopes env = new ChangeEnvelopes(Fixtures.orders());
        GenericRecord after = env.row(Arrays.asList("1", "2", "3.50", "", "2024-01-15 10:20:30.5+00", "{a,NULL}", "\\x00"));
        GenericRecord value = env.value(Op.INSERT, null, after, List.of(),
                new ChangeSource(10, 20, 700, 1705314030_500000L, 0, Fixtures.ORDERS));
        TableSchemas s = env.schemas();
        MapSchemaResolver resolver = new MapSchemaResolver(s.value(), s.key());
        byte[] bytes = SingleObjectCodec.encode(s.value(), value);
        GenericRecord back = SingleObjectCodec.decode(bytes, resolver);
        assertThat(GenericData.get().compare(back, value, s.value())).isZero();
        byte[] key = SingleObjectCodec.encode(s.key(), env.key(after));
        assertThat(SingleObjectCodec.decode(key, resolver).get("id")).isEqualTo(1L);
    }

    @Test
    void unknownSchemaIsNamedByFingerprint() {
        byte[] bytes = SingleObjectCodec.encode(SCHEMA, rec(1, null));
        assertThatThrownBy(() -> SingleObjectCodec.decode(bytes, new MapSchemaResolver()))
                .isInstanceOf(CodecException.UnknownSchemaException.class)
                .hasMessageContaining(SingleObjectCodec.fingerprint(SCHEMA));
    }

    @Test
    void garbageIsRejectedWithAReason() {
        MapSchemaResolver r = new MapSchemaResolver(SCHEMA);
        assertThatThrownBy(() -> SingleObjectCodec.decode(new byte[] {1, 2, 3}, r))
                .isInstanceOf(CodecException.class).hasMessageContaining("C3 01");
        assertThatThrownBy(() -> SingleObjectCodec.decode(null, r)).isInstanceOf(CodecException.class);
        byte[] truncated = Arrays.copyOf(SingleObjectCodec.encode(SCHEMA, rec(1, "abc")), 12);
        assertThatThrownBy(() -> SingleObjectCodec.decode(truncated, r)).isInstanceOf(CodecException.class)
                .hasMessageContaining(SingleObjectCodec.fingerprint(SCHEMA));
    }

    @Test
    void aResolverReturningTheWrongSchemaIsCaught() {
        Schema other = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"O\",\"fields\":[]}");
        byte[] bytes = SingleObjectCodec.encode(SCHEMA, rec(1, null));
        assertThatThrownBy(() -> SingleObjectCodec.decode(bytes, fp -> other)).isInstanceOf(CodecException.class)
                .hasMessageContaining("fingerprint");
    }
}
