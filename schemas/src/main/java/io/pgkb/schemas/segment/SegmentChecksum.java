package io.pgkb.schemas.segment;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

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
        byte[] head = new byte[4 + t.length + 4];
        putInt(head, putBytes(head, putInt(head, 0, t.length), t), partition);
        digest.update(head);
    }

    /**
     * Adds a record. Its bytes are sized first, so they are written with one room check (the per-field checks, each
     * inlining the digest call, made this one of the largest JIT compilations of the archiver's run); a record
     * larger than the gathering buffer is written into an array of its own.
     */
    public void update(ArchivedRecord r) {
        List<ArchivedRecord.RecordHeader> headers = r.headers();
        int size = 8 + 8 + nullableSize(r.key()) + nullableSize(r.value()) + 4 + 8 + 8;
        for (int i = 0; i < headers.size(); i++) {
            size += 4 + keyBytes(i, headers.get(i).key()).length + nullableSize(headers.get(i).value());
        }
        if (size > pending.length - used) {
            drain();
        }
        byte[] into = size <= pending.length ? pending : new byte[size];
        int pos = into == pending ? used : 0;
        pos = putLong(into, pos, r.offset());
        pos = putLong(into, pos, r.timestamp());
        pos = putNullable(into, pos, r.key());
        pos = putNullable(into, pos, r.value());
        pos = putInt(into, pos, headers.size());
        for (int i = 0; i < headers.size(); i++) {
            byte[] k = keyBytes(i, headers.get(i).key());
            pos = putBytes(into, putInt(into, pos, k.length), k);
            pos = putNullable(into, pos, headers.get(i).value());
        }
        pos = putLong(into, pos, r.commitLsn());
        pos = putLong(into, pos, r.seq());
        if (into == pending) {
            used = pos;
        } else {
            digest.update(into, 0, pos);
        }
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

    private static int nullableSize(byte[] b) {
        return b == null ? 1 : 5 + b.length;
    }

    private static int putNullable(byte[] into, int pos, byte[] b) {
        if (b == null) {
            into[pos] = 0;
            return pos + 1;
        }
        into[pos] = 1;
        return putBytes(into, putInt(into, pos + 1, b.length), b);
    }

    private static int putBytes(byte[] into, int pos, byte[] b) {
        System.arraycopy(b, 0, into, pos, b.length);
        return pos + b.length;
    }

    private static int putInt(byte[] into, int pos, int v) {
        BIG_ENDIAN_INT.set(into, pos, v);
        return pos + 4;
    }

    private static int putLong(byte[] into, int pos, long v) {
        BIG_ENDIAN_LONG.set(into, pos, v);
        return pos + 8;
    }

    private void drain() {
        digest.update(pending, 0, used);
        used = 0;
    }
}
