package io.pgkb.schemas.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/** {@link BinaryBuffer} writes exactly what Avro's own binary encoder writes, for every kind of call the segment writer makes. */
class BinaryBufferTest {

    @Test
    void sameBytesAsAvrosEncoderOnRandomCalls() throws IOException {
        Random rnd = new Random(11);
        for (int round = 0; round < 2000; round++) {
            BinaryBuffer ours = new BinaryBuffer();
            ByteArrayOutputStream theirsOut = new ByteArrayOutputStream();
            BinaryEncoder theirs = EncoderFactory.get().directBinaryEncoder(theirsOut, null);
            for (int call = rnd.nextInt(40); call > 0; call--) {
                switch (rnd.nextInt(6)) {
                    case 0 -> {
                        long v = randomLong(rnd);
                        ours.writeLong(v);
                        theirs.writeLong(v);
                    }
                    case 1 -> {
                        int v = (int) randomLong(rnd);
                        ours.writeLong(v); // the segment writer writes Avro ints (row_schema) as longs
                        theirs.writeInt(v);
                    }
                    case 2 -> {
                        int v = rnd.nextInt(3);
                        ours.writeIndex(v);
                        theirs.writeIndex(v);
                    }
                    case 3 -> {
                        byte[] b = randomBytes(rnd);
                        int off = b.length == 0 ? 0 : rnd.nextInt(b.length);
                        int len = rnd.nextInt(b.length - off + 1);
                        ours.writeBytes(b, off, len);
                        theirs.writeBytes(b, off, len);
                    }
                    case 4 -> {
                        byte[] b = rnd.nextInt(4) == 0 ? null : randomBytes(rnd);
                        ours.writeNullableBytes(b, 0, b == null ? 0 : b.length);
                        if (b == null) {
                            theirs.writeIndex(0);
                        } else {
                            theirs.writeIndex(1);
                            theirs.writeBytes(b, 0, b.length);
                        }
                    }
                    default -> {
                        String s = randomString(rnd);
                        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                        ours.writeBytes(utf8, 0, utf8.length); // how the writer stores strings
                        theirs.writeString(s);
                    }
                }
            }
            theirs.flush();
            assertThat(Arrays.copyOf(ours.array(), ours.size())).isEqualTo(theirsOut.toByteArray());
        }
    }

    @Test
    void anArrayOfHeadersAsAvroWritesIt() throws IOException {
        for (int n : new int[] {0, 1, 6, 200}) {
            BinaryBuffer ours = new BinaryBuffer();
            ByteArrayOutputStream theirsOut = new ByteArrayOutputStream();
            BinaryEncoder theirs = EncoderFactory.get().directBinaryEncoder(theirsOut, null);
            theirs.writeArrayStart();
            theirs.setItemCount(n);
            if (n > 0) {
                ours.writeLong(n);
            }
            for (int i = 0; i < n; i++) {
                theirs.startItem();
                theirs.writeString("k" + i);
                ours.writeBytes(("k" + i).getBytes(StandardCharsets.UTF_8), 0, ("k" + i).length());
            }
            theirs.writeArrayEnd();
            ours.writeLong(0);
            theirs.flush();
            assertThat(Arrays.copyOf(ours.array(), ours.size())).isEqualTo(theirsOut.toByteArray());
        }
    }

    private static long randomLong(Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> rnd.nextInt(300) - 150;
            case 1 -> rnd.nextLong() >> rnd.nextInt(64);
            case 2 -> rnd.nextBoolean() ? Long.MAX_VALUE - rnd.nextInt(3) : Long.MIN_VALUE + rnd.nextInt(3);
            default -> rnd.nextBoolean() ? Integer.MAX_VALUE : Integer.MIN_VALUE;
        };
    }

    private static byte[] randomBytes(Random rnd) {
        byte[] b = new byte[rnd.nextInt(4) == 0 ? rnd.nextInt(3000) : rnd.nextInt(20)];
        rnd.nextBytes(b);
        return b;
    }

    private static String randomString(Random rnd) {
        StringBuilder s = new StringBuilder();
        for (int i = rnd.nextInt(12); i > 0; i--) {
            s.appendCodePoint(rnd.nextInt(3) == 0 ? rnd.nextInt(0x10FFFF) : 'a' + rnd.nextInt(26));
        }
        return s.toString();
    }
}
