package io.pgkb.schemas.segment;

import io.pgkb.schemas.ConfluentFraming;
import io.pgkb.schemas.DdlEvent;
import io.pgkb.schemas.Headers;
import io.pgkb.schemas.NonClosingOutputStream;
import io.pgkb.schemas.SchemaResolver;
import io.pgkb.schemas.SingleObjectCodec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumWriter;

/**
 * Builds one segment of one topic partition, in format 2. Records are gathered into a block ({@link BlockBuilder}:
 * records compactly, keys and row fields in columns) of about {@link SegmentFormat#BLOCK_BYTES} Kafka bytes, which
 * is compressed and appended, length-prefixed, to a local spool file while the metadata is computed; {@link
 * #finish(OutputStream)} then writes the final container (metadata in its header) in one pass over the spool. So an
 * open segment holds one block in heap whatever the segment size, and every record is compressed exactly once.
 * {@link #close()} without finish abandons the segment and deletes the spool.
 *
 * <p>Offsets must increase but need not be consecutive (compacted topics, transaction markers): the metadata
 * holds the first and last actual offsets.
 */
public final class SegmentWriter implements Closeable {
    private static final int SPOOL_BUFFER = 64 * 1024;
    private final Path spool;
    private final String topic;
    private final int partition;
    private final SegmentChecksum checksum;
    /** Holds the previous record: format 2 stores differences to it. */
    private final CompactRecordWriter datumWriter;
    private final BlockBuilder block = new BlockBuilder();
    private long blocks;
    private DataOutputStream spoolOut;
    private long firstOffset = -1;
    private long lastOffset = -1;
    private long minCommitLsn;
    private long maxCommitLsn;
    private long count;
    private long recordBytes;
    private boolean closed;
    /** An append failed part-way: the spool and the difference state may disagree, so nothing more is accepted. */
    private boolean broken;
    private final SchemaResolver schemas;
    /** Whether a value fingerprint is a DDL record schema's, answered once per fingerprint. */
    private final Map<Long, Boolean> ddlSchemas = new HashMap<>();
    private final List<SegmentDdl> ddl = new ArrayList<>();
    private static final byte[] DDL_OP = DdlEvent.OP_HEADER.getBytes(StandardCharsets.UTF_8);
    /** A DDL record did not decode: the header then lists none ({@link SegmentDdl}: readers read the segment). */
    private boolean ddlUnknown;
    /** The writer schemas its keys and values name: the archive must hold each before this segment is visible. */
    private final Set<Long> fingerprints = new HashSet<>();
    private final Set<Integer> registryIds = new HashSet<>();
    /** The last value fingerprint noted, so the usual run of one schema costs no boxing. */
    private long lastValueFingerprint;

    /** A writer that keeps change values' rows as they are (no writer schemas at hand). */
    public SegmentWriter(Path spool, String topic, int partition) throws IOException {
        this(spool, topic, partition, null);
    }

    /**
     * @param schemas the writer schemas of the values by fingerprint (the archiver's {@code _schemas}): values of a
     *                known schema have their rows stored column by column, which compresses far better
     */
    public SegmentWriter(Path spool, String topic, int partition, SchemaResolver schemas) throws IOException {
        this.datumWriter = new CompactRecordWriter(schemas);
        this.schemas = schemas;
        this.spool = spool;
        this.topic = topic;
        this.partition = partition;
        this.checksum = new SegmentChecksum(topic, partition);
    }

    /**
     * Appends the current block to the spool file, which is created with the first block: a full disk then fails
     * where a failure can be retried (appending, finishing), never where the segment is opened.
     */
    private void spoolBlock() throws SpoolException {
        try {
            if (spoolOut == null) {
                Files.createDirectories(spool.toAbsolutePath().getParent());
                spoolOut = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(spool), SPOOL_BUFFER));
            }
            block.writeTo(spoolOut);
        } catch (IOException e) {
            throw new SpoolException(spool, e);
        }
        blocks++;
    }

    public void append(ArchivedRecord r) throws IOException {
        if (closed) {
            throw new IllegalStateException("segment writer is closed");
        }
        if (broken) {
            throw new IllegalStateException("an earlier append to this segment failed; abandon it");
        }
        if (count > 0 && r.offset() <= lastOffset) {
            throw new IllegalArgumentException("offsets must increase: " + r.offset() + " after " + lastOffset
                    + " in " + topic + "/" + partition);
        }
        broken = true;
        long size = sizeOf(r);
        datumWriter.write(r, block);
        block.recordDone(size);
        if (block.rawBytes() >= SegmentFormat.BLOCK_BYTES) {
            spoolBlock();
        }
        broken = false;
        checksum.update(r);
        noteDdl(r);
        noteSchemas(r);
        if (count == 0) {
            firstOffset = r.offset();
        }
        lastOffset = r.offset();
        long lsn = r.commitLsn(); // LSNs compare unsigned, as Lsn does
        minCommitLsn = count == 0 || Long.compareUnsigned(lsn, minCommitLsn) < 0 ? lsn : minCommitLsn;
        maxCommitLsn = count == 0 || Long.compareUnsigned(lsn, maxCommitLsn) > 0 ? lsn : maxCommitLsn;
        count++;
        recordBytes += size;
    }

    /** A DDL record: its header {@code pgkb.op=DDL} (any value encoding) or, single-object encoded, its schema. */
    private void noteDdl(ArchivedRecord r) {
        byte[] v = r.value();
        boolean opDdl = false;
        for (ArchivedRecord.RecordHeader h : r.headers()) {
            opDdl |= Headers.OP.equals(h.key()) && h.value() != null && Arrays.equals(h.value(), DDL_OP);
        }
        if (v == null || !opDdl && (!SingleObjectCodec.isSingleObject(v) || !ddlSchemas.computeIfAbsent(SingleObjectCodec.fingerprintOf(v),
                fp -> fp == DdlEvent.FINGERPRINT || schemas != null && DdlEvent.isDdlSchema(schemas.findByFingerprint(fp))))) {
            return;
        }
        try {
            DdlEvent e = DdlEvent.decode(v, schemas);
            ddl.add(new SegmentDdl(r.offset(), r.commitLsn(), r.seq(), e.rewrite(), e.dropped(), e.commandTag()));
        } catch (RuntimeException e) {
            ddlUnknown = true; // archived as it is: a restore reading it names it
        }
    }

    private void noteSchemas(ArchivedRecord r) {
        byte[] v = r.value();
        if (v != null && SingleObjectCodec.isSingleObject(v)) {
            long fp = SingleObjectCodec.fingerprintOf(v);
            if (fp != lastValueFingerprint || fingerprints.isEmpty()) {
                fingerprints.add(fp);
                lastValueFingerprint = fp;
            }
        } else {
            noteSchema(v);
        }
        noteSchema(r.key());
    }

    private void noteSchema(byte[] b) {
        if (b == null) {
            return;
        }
        if (SingleObjectCodec.isSingleObject(b)) {
            fingerprints.add(SingleObjectCodec.fingerprintOf(b));
        } else if (ConfluentFraming.isConfluent(b)) {
            registryIds.add(ConfluentFraming.schemaId(b));
        }
    }

    /** The CRC-64-AVRO fingerprints of the single-object encoded keys and values appended so far. */
    public Set<Long> schemaFingerprints() {
        return Collections.unmodifiableSet(fingerprints);
    }

    /** The schema registry ids of the Confluent-framed keys and values appended so far (registry mode). */
    public Set<Integer> schemaRegistryIds() {
        return Collections.unmodifiableSet(registryIds);
    }

    /** Bytes of keys, values and headers appended so far (the Kafka payload size, before compression). */
    public long recordBytes() {
        return recordBytes;
    }

    public long count() {
        return count;
    }

    public long firstOffset() {
        return firstOffset;
    }

    public long lastOffset() {
        return lastOffset;
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    /**
     * Writes the final segment to {@code out} (not closed: the caller commits it) and deletes the spool.
     * Returns its metadata. At least one record must have been appended.
     */
    public SegmentMetadata finish(OutputStream out) throws IOException {
        if (closed) {
            throw new IllegalStateException("segment writer is closed");
        }
        if (count == 0) {
            throw new IllegalStateException("empty segment");
        }
        if (broken) {
            throw new IllegalStateException("an earlier append to this segment failed; abandon it");
        }
        if (block.count() > 0) {
            spoolBlock();
        }
        try {
            spoolOut.close();
        } catch (IOException e) {
            throw new SpoolException(spool, e);
        }
        spoolOut = null;
        SegmentMetadata meta = new SegmentMetadata(topic, partition, firstOffset, lastOffset,
                minCommitLsn, maxCommitLsn, count, checksum.finish(), SegmentMetadata.FORMAT);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(spool), SPOOL_BUFFER));
             DataFileWriter<Object> w = new DataFileWriter<>(new GenericDatumWriter<>(SegmentFormat.COMPACT))) {
            // format 2 blocks hold zstd frames already (BlockBuilder); no container codec on top
            w.setSyncInterval(32); // the smallest allowed: each spooled block becomes one container block
            List<RowLayout> rows = datumWriter.rowLayouts();
            w.setMeta(SegmentFormat.ROW_SCHEMAS, Integer.toString(rows.size()));
            for (int k = 0; k < rows.size(); k++) {
                w.setMeta(SegmentFormat.ROW_SCHEMA_PREFIX + k, HexFormat.of().formatHex(rows.get(k).header) + " "
                        + SchemaNormalization.toParsingForm(rows.get(k).schema));
            }
            w.setMeta(SegmentMetadata.TOPIC, topic);
            w.setMeta(SegmentMetadata.PARTITION, Integer.toString(partition));
            w.setMeta(SegmentMetadata.FIRST_OFFSET, Long.toString(firstOffset));
            w.setMeta(SegmentMetadata.LAST_OFFSET, Long.toString(lastOffset));
            w.setMeta(SegmentMetadata.MIN_COMMIT_LSN, Long.toUnsignedString(meta.minCommitLsn()));
            w.setMeta(SegmentMetadata.MAX_COMMIT_LSN, Long.toUnsignedString(meta.maxCommitLsn()));
            w.setMeta(SegmentMetadata.COUNT, Long.toString(count));
            w.setMeta(SegmentMetadata.CHECKSUM, meta.checksum());
            w.setMeta(SegmentMetadata.FORMAT_KEY, Integer.toString(SegmentMetadata.FORMAT));
            if (!ddlUnknown) {
                w.setMeta(SegmentDdl.KEY, SegmentDdl.format(ddl));
            }
            w.create(SegmentFormat.COMPACT, new NonClosingOutputStream(out));
            byte[] buf = new byte[8192];
            for (long i = 0; i < blocks; i++) {
                int n = in.readInt();
                if (n > buf.length) {
                    buf = new byte[Math.max(n, 2 * buf.length)];
                }
                in.readFully(buf, 0, n);
                w.appendEncoded(ByteBuffer.wrap(buf, 0, n)); // copied into the current block at once
            }
            if (in.read() != -1) {
                throw new IOException("spool " + spool + " holds more than its " + blocks + " blocks");
            }
        } finally {
            close();
        }
        return meta;
    }

    /** Abandons the segment (if not finished) and deletes the spool file. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (spoolOut != null) {
                spoolOut.close();
            }
        } catch (IOException ignored) {
            // the spool is being thrown away
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    /** A record's size as counted by {@link #recordBytes()}: key, value and headers plus 16 bytes. */
    public static long sizeOf(ArchivedRecord r) {
        long n = 16;
        n += r.key() == null ? 0 : r.key().length;
        n += r.value() == null ? 0 : r.value().length;
        for (ArchivedRecord.RecordHeader h : r.headers()) {
            n += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return n;
    }
}
