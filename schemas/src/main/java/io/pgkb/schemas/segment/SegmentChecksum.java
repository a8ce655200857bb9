package io.pgkb.schemas.segment;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The checksum stored in a segment's {@code pgkb.checksum} metadata: SHA-256, as 64 lower-case hex digits, over
 * the segment's topic partition and then every record in file order. Exactly these bytes are hashed (integers
 * big-endian):
 * <pre>
 *   once:       topic UTF-8 length (4) · topic UTF-8 bytes · partition (4)
 *   per record:
 *   offset (8) · timestamp (8)
 *   key:   0x00 if null, else 0x01 · length (4) · bytes
 *   value: 0x00 if null, else 0x01 · length (4) · bytes
 *   header count (4), then per header: key length (4) · key UTF-8 bytes · value as for key/value above
 *   commit_lsn (8) · seq (8)
 * </pre>
 * Length prefixes make the encoding unambiguous, so no two different record sequences hash the same input.
 * It covers everything (and binds the records to their partition) a restore uses, independently of the Avro/zstd encoding of the file.
 */
public final class SegmentChecksum {
    private final MessageDigest digest;
    private final byte[] scratch = new byte[8];

    public SegmentChecksum(String topic, int partition) {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 not available", e);
        }
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        putInt(t.length);
        digest.update(t);
        putInt(partition);
    }

    public void update(ArchivedRecord r) {
        putLong(r.offset());
        putLong(r.timestamp());
        putNullable(r.key());
        putNullable(r.value());
        putInt(r.headers().size());
        for (ArchivedRecord.RecordHeader h : r.headers()) {
            byte[] k = h.key().getBytes(StandardCharsets.UTF_8);
            putInt(k.length);
            digest.update(k);
            putNullable(h.value());
        }
        putLong(r.commitLsn());
        putLong(r.seq());
    }

    /** Hex of the digest so far; ends this checksum. */
    public String finish() {
        return HexFormat.of().formatHex(digest.digest());
    }

    private void putNullable(byte[] b) {
        if (b == null) {
            digest.update((byte) 0);
        } else {
            digest.update((byte) 1);
            putInt(b.length);
            digest.update(b);
        }
    }

    private void putInt(int v) {
        for (int i = 0; i < 4; i++) {
            scratch[i] = (byte) (v >>> (24 - 8 * i));
        }
        digest.update(scratch, 0, 4);
    }

    private void putLong(long v) {
        for (int i = 0; i < 8; i++) {
            scratch[i] = (byte) (v >>> (56 - 8 * i));
        }
        digest.update(scratch, 0, 8);
    }
}
