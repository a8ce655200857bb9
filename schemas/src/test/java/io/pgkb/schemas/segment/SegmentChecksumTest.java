package io.pgkb.schemas.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link SegmentChecksum} hashes exactly the bytes its class comment lists: compared with a plain DataOutputStream
 * writing of that layout on random records, small and larger than its gathering buffer, with and without headers.
 */
class SegmentChecksumTest {

    @Test
    void hashesTheDocumentedLayout() throws Exception {
        Random rnd = new Random(13);
        for (int round = 0; round < 200; round++) {
            String topic = "pgkb.public.t" + rnd.nextInt(1000) + (rnd.nextBoolean() ? "é" : "");
            int partition = rnd.nextInt(100);
            SegmentChecksum checksum = new SegmentChecksum(topic, partition);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(expected);
            byte[] t = topic.getBytes(StandardCharsets.UTF_8);
            out.writeInt(t.length);
            out.write(t);
            out.writeInt(partition);
            for (int i = rnd.nextInt(30); i > 0; i--) {
                ArchivedRecord r = randomRecord(rnd);
                checksum.update(r);
                writeDocumented(r, out);
            }
            String reference = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(expected.toByteArray()));
            assertThat(checksum.finish()).isEqualTo(reference);
        }
    }

    private static void writeDocumented(ArchivedRecord r, DataOutputStream out) throws IOException {
        out.writeLong(r.offset());
        out.writeLong(r.timestamp());
        nullable(r.key(), out);
        nullable(r.value(), out);
        out.writeInt(r.headers().size());
        for (ArchivedRecord.RecordHeader h : r.headers()) {
            byte[] k = h.key().getBytes(StandardCharsets.UTF_8);
            out.writeInt(k.length);
            out.write(k);
            nullable(h.value(), out);
        }
        out.writeLong(r.commitLsn());
        out.writeLong(r.seq());
    }

    private static void nullable(byte[] b, DataOutputStream out) throws IOException {
        if (b == null) {
            out.write(0);
        } else {
            out.write(1);
            out.writeInt(b.length);
            out.write(b);
        }
    }

    private static ArchivedRecord randomRecord(Random rnd) {
        List<ArchivedRecord.RecordHeader> headers = new ArrayList<>();
        for (int i = rnd.nextInt(12); i > 0; i--) {
            String key = rnd.nextInt(3) == 0 ? "pgkb.seq" : "h" + rnd.nextInt(20) + (rnd.nextInt(5) == 0 ? "ü" : "");
            headers.add(new ArchivedRecord.RecordHeader(key, rnd.nextInt(6) == 0 ? null : bytes(rnd)));
        }
        return new ArchivedRecord(rnd.nextLong(), rnd.nextLong(), rnd.nextInt(5) == 0 ? null : bytes(rnd),
                rnd.nextInt(10) == 0 ? null : bytes(rnd), headers, rnd.nextLong(), rnd.nextLong());
    }

    private static byte[] bytes(Random rnd) {
        byte[] b = new byte[rnd.nextInt(8) == 0 ? rnd.nextInt(10_000) : rnd.nextInt(40)];
        rnd.nextBytes(b);
        return b;
    }
}
