package io.pgkb.schemas.segment;

import io.pgkb.schemas.Lsn;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/**
 * Builds one segment of one topic partition. Records are appended to a local spool file (an Avro container,
 * zstd) while the metadata is computed; {@link #finish(OutputStream)} then writes the final container with the
 * metadata in its header by copying the spool's compressed blocks, so memory stays bounded by one block
 * whatever the segment's size. {@link #close()} without finish abandons the segment and deletes the spool.
 *
 * <p>Offsets must increase but need not be consecutive (compacted topics, transaction markers): the metadata
 * holds the first and last actual offsets.
 */
public final class SegmentWriter implements Closeable {
    private final Path spool;
    private final String topic;
    private final int partition;
    private final SegmentChecksum checksum;
        private DataFileWriter<ArchivedRecord> spoolWriter;
    private long firstOffset = -1;
    private long lastOffset = -1;
    private Lsn minCommitLsn;
    private Lsn maxCommitLsn;
    private long count;
    private long recordBytes;
    private boolean closed;

    public SegmentWriter(Path spool, String topic, int partition) throws IOException {
        this.spool = spool;
        this.topic = topic;
        this.partition = partition;
        this.checksum = new SegmentChecksum(topic, partition);
        Files.createDirectories(spool.toAbsolutePath().getParent());
        DataFileWriter<ArchivedRecord> w = new DataFileWriter<>(new ArchivedRecordWriter());
        w.setCodec(SegmentFormat.codec());
        w.setSyncInterval(SegmentFormat.BLOCK_BYTES);
        w.create(SegmentFormat.SCHEMA, new BufferedOutputStream(Files.newOutputStream(spool), 64 * 1024));
        this.spoolWriter = w;
    }

    public void append(ArchivedRecord r) throws IOException {
        if (closed) {
            throw new IllegalStateException("segment writer is closed");
        }
        if (count > 0 && r.offset() <= lastOffset) {
            throw new IllegalArgumentException("offsets must increase: " + r.offset() + " after " + lastOffset
                    + " in " + topic + "/" + partition);
        }
        spoolWriter.append(r);
        checksum.update(r);
        if (count == 0) {
            firstOffset = r.offset();
        }
        lastOffset = r.offset();
        Lsn lsn = Lsn.of(r.commitLsn());
        minCommitLsn = minCommitLsn == null || lsn.isBefore(minCommitLsn) ? lsn : minCommitLsn;
        maxCommitLsn = maxCommitLsn == null || lsn.isAfter(maxCommitLsn) ? lsn : maxCommitLsn;
        count++;
        recordBytes += sizeOf(r);
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
        spoolWriter.close();
        spoolWriter = null;
        SegmentMetadata meta = new SegmentMetadata(topic, partition, firstOffset, lastOffset,
                minCommitLsn.asLong(), maxCommitLsn.asLong(), count, checksum.finish(), SegmentMetadata.FORMAT);
        try (InputStream in = Files.newInputStream(spool);
             DataFileStream<GenericRecord> blocks = new DataFileStream<>(in, new GenericDatumReader<>(SegmentFormat.SCHEMA));
             DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(SegmentFormat.SCHEMA))) {
            w.setCodec(SegmentFormat.codec());
            w.setSyncInterval(SegmentFormat.BLOCK_BYTES);
            w.setMeta(SegmentMetadata.TOPIC, topic);
            w.setMeta(SegmentMetadata.PARTITION, Integer.toString(partition));
            w.setMeta(SegmentMetadata.FIRST_OFFSET, Long.toString(firstOffset));
            w.setMeta(SegmentMetadata.LAST_OFFSET, Long.toString(lastOffset));
            w.setMeta(SegmentMetadata.MIN_COMMIT_LSN, Long.toUnsignedString(meta.minCommitLsn()));
            w.setMeta(SegmentMetadata.MAX_COMMIT_LSN, Long.toUnsignedString(meta.maxCommitLsn()));
            w.setMeta(SegmentMetadata.COUNT, Long.toString(count));
            w.setMeta(SegmentMetadata.CHECKSUM, meta.checksum());
            w.setMeta(SegmentMetadata.FORMAT_KEY, Integer.toString(SegmentMetadata.FORMAT));
            w.create(SegmentFormat.SCHEMA, new NonClosing(out));
            w.appendAllFrom(blocks, false);
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
            if (spoolWriter != null) {
                spoolWriter.close();
            }
        } catch (IOException ignored) {
            // the spool is being thrown away
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    private static long sizeOf(ArchivedRecord r) {
        long n = 16;
        n += r.key() == null ? 0 : r.key().length;
        n += r.value() == null ? 0 : r.value().length;
        for (ArchivedRecord.RecordHeader h : r.headers()) {
            n += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return n;
    }

    private static final class NonClosing extends FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
