package io.pgkb.schemas.segment;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
    /**
     * The small fields of a record are gathered here and handed to the digest in one call: SHA-256 is a stream
     * hash, so the result is the same as feeding every field separately, with a fraction of the calls.
     */
    private static final VarHandle BIG_ENDIAN_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BIG_ENDIAN_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private final byte[] pending = new byte[4096];
    private int used;
    private final String[] keys = new String[8];
    private final byte[][] encodedKeys = new byte[8][];

    public SegmentChecksum(String topic, int partition) {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 not available", e);
        }
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        putInt(t.length);
        putBytes(t);
        putInt(partition);
    }

    public void update(ArchivedRecord r) {
        putLong(r.offset());
        putLong(r.timestamp());
        putNullable(r.key());
        putNullable(r.value());
        putInt(r.headers().size());
        for (int i = 0; i < r.headers().size(); i++) {
            ArchivedRecord.RecordHeader h = r.headers().get(i);
            byte[] k = keyBytes(i, h.key());
            putInt(k.length);
            putBytes(k);
            putNullable(h.value());
        }
        putLong(r.commitLsn());
        putLong(r.seq());
    }

    /**
     * The UTF-8 bytes of the {@code i}-th header's key: the same key at the same place as in the record before (the
     * producer's six headers, every record) is encoded once, not once per record.
     */
    private byte[] keyBytes(int i, String key) {
        if (i >= keys.length) {
            return key.getBytes(StandardCharsets.UTF_8);
        }
        if (!key.equals(keys[i])) {
            keys[i] = key;
            encodedKeys[i] = key.getBytes(StandardCharsets.UTF_8);
        }
        return encodedKeys[i];
    }

    /** Hex of the digest so far; ends this checksum. */
    public String finish() {
        drain();
        return HexFormat.of().formatHex(digest.digest());
    }

    private void putNullable(byte[] b) {
        if (b == null) {
            room(1);
            pending[used++] = 0;
        } else {
            room(5);
            pending[used++] = 1;
            putInt(b.length);
            putBytes(b);
        }
    }

    private void putBytes(byte[] b) {
        if (b.length <= pending.length - used) {
            System.arraycopy(b, 0, pending, used, b.length);
            used += b.length;
        } else {
            drain();
            digest.update(b);
        }
    }

    private void putInt(int v) {
        room(4);
        BIG_ENDIAN_INT.set(pending, used, v);
        used += 4;
    }

    private void putLong(long v) {
        room(8);
        BIG_ENDIAN_LONG.set(pending, used, v);
        used += 8;
    }

    private void room(int n) {
        if (pending.length - used < n) {
            drain();
        }
    }

    private void drain() {
        digest.update(pending, 0, used);
        used = 0;
    }
}
