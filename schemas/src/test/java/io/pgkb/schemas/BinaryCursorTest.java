package io.pgkb.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/** {@link BinaryCursor} against Avro's own BinaryDecoder: the same values from the same bytes, and failures alike. */
class BinaryCursorTest {
    private static final int KINDS = 9;

    /** One read of kind {@code k}, as the cursor does it and as Avro's decoder does it; the value as a string. */
    private static String read(int k, BinaryCursor c) throws IOException {
        return switch (k) {
            case 0 -> Integer.toString(c.readInt());
            case 1 -> Long.toString(c.readLong());
            case 2 -> Boolean.toString(c.readBoolean());
            case 3 -> Float.toString(c.readFloat());
            case 4 -> Double.toString(c.readDouble());
            case 5 -> c.utf8(c.readLength());
            case 6 -> Arrays.toString(c.bytes(c.readLength()));
            case 7 -> Long.toString(c.readArrayStart());
            default -> Integer.toString(c.readIndex());
        };
    }

    private static String read(int k, BinaryDecoder d) throws IOException {
        return switch (k) {
            case 0 -> Integer.toString(d.readInt());
            case 1 -> Long.toString(d.readLong());
            case 2 -> Boolean.toString(d.readBoolean());
            case 3 -> Float.toString(d.readFloat());
            case 4 -> Double.toString(d.readDouble());
            case 5 -> d.readString();
            case 6 -> {
                ByteBuffer b = d.readBytes(null);
                byte[] a = new byte[b.remaining()];
                b.get(a);
                yield Arrays.toString(a);
            }
            case 7 -> Long.toString(d.readArrayStart());
            default -> Integer.toString(d.readIndex());
        };
    }

    /** Writes a random value of kind {@code k} (an array start sometimes with its byte size, as a negative count). */
    private static void write(int k, Random r, BinaryEncoder e, ByteArrayOutputStream out) throws IOException {
        switch (k) {
            case 0 -> e.writeInt(r.nextInt() >> r.nextInt(32));
            case 1 -> e.writeLong(r.nextLong() >> r.nextInt(64));
            case 2 -> e.writeBoolean(r.nextBoolean());
            case 3 -> e.writeFloat(r.nextFloat() * r.nextInt());
            case 4 -> e.writeDouble(r.nextGaussian() * r.nextLong());
            case 5 -> {
                StringBuilder s = new StringBuilder();
                for (int i = r.nextInt(12); i > 0; i--) {
                    s.append(r.nextInt(4) == 0 ? (char) (0x80 + r.nextInt(0x2000)) : (char) ('a' + r.nextInt(26)));
                }
                e.writeString(s.toString());
            }
            case 6 -> {
                byte[] b = new byte[r.nextInt(20)];
                r.nextBytes(b);
                e.writeBytes(b);
            }
            case 7 -> {
                long n = r.nextInt(1000);
                if (n > 0 && r.nextBoolean()) {
                    e.writeLong(-n);
                    e.writeLong(r.nextInt(1 << 20));
                } else {
                    e.writeLong(n); // a block count as Avro's writeArrayStart/setItemCount writes it (0 ends the array)
                }
            }
            default -> e.writeIndex(r.nextInt(5));
        }
        e.flush();
    }

    @Test
    void readsWhatAvrosEncoderWroteAsAvrosDecoderDoes() throws IOException {
        Random r = new Random(11);
        for (int round = 0; round < 5_000; round++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(out, null);
            int[] kinds = r.ints(1 + r.nextInt(20), 0, KINDS).toArray();
            for (int k : kinds) {
                write(k, r, e, out);
            }
            byte[] bytes = out.toByteArray();
            BinaryCursor c = new BinaryCursor().reset(bytes, 0);
            BinaryDecoder d = DecoderFactory.get().binaryDecoder(bytes, null);
            for (int k : kinds) {
                assertThat(read(k, c)).as("kind %d in round %d", k, round).isEqualTo(read(k, d));
            }
            assertThat(c.isEnd()).isTrue();
            assertThat(d.isEnd()).isTrue();
        }
    }

    /** Any bytes: where Avro reads a value the cursor reads the same one, where Avro fails the cursor fails. */
    @Test
    void failsWhereAvrosDecoderFailsOnDamagedBytes() throws IOException {
        Random r = new Random(12);
        int failures = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = new byte[r.nextInt(24)];
            r.nextBytes(bytes);
            if (r.nextBoolean()) {
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] |= (byte) 0x80; // long runs of continuation bits: over-long varints
                }
                if (bytes.length > 0 && r.nextBoolean()) {
                    bytes[r.nextInt(bytes.length)] &= 0x7f;
                }
            }
            int k = r.nextInt(KINDS);
            String avro;
            try {
                avro = read(k, DecoderFactory.get().binaryDecoder(bytes, null));
            } catch (IOException | RuntimeException x) {
                avro = null;
            }
            String ours;
            try {
                ours = read(k, new BinaryCursor().reset(bytes, 0));
            } catch (IOException x) {
                ours = null;
            }
            if (avro == null) {
                failures++;
            }
            assertThat(ours).as("kind %d of %s", k, Arrays.toString(bytes)).isEqualTo(avro);
        }
        assertThat(failures).as("damaged inputs that Avro refused").isGreaterThan(1_000);
    }

    @Test
    void lengthLongerThanTheBytesLeftIsRefusedBeforeAllocating() {
        byte[] bytes = {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 'a'}; // zig-zag 2^30 - 1
        BinaryCursor c = new BinaryCursor().reset(bytes, 0);
        assertThatThrownBy(c::readLength).isInstanceOf(IOException.class)
                .hasMessageContaining("1073741823").hasMessageContaining("1 bytes left");
    }
}
