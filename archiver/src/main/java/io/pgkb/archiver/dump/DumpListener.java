package io.pgkb.archiver.dump;

import io.pgkb.schemas.TableId;
import io.pgkb.schemas.dump.DumpManifest;

/** Progress of a dump, called from the dumping thread (keep it quick). */
public interface DumpListener {
    DumpListener NONE = new DumpListener() {
    };

    /** Running totals of the table being copied, about once per MiB of COPY output. */
    default void progress(TableId table, long rows, long uncompressedBytes) {
    }

    /** A table's data object is durable; its manifest is written after every table of the dump is done. */
    default void tableCopied(DumpManifest manifest) {
    }
}
