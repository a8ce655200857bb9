package io.pgkb.restorer.internal;

import io.pgkb.schemas.DdlEvent;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.segment.SegmentDdl;
import io.pgkb.store.catalog.ArchivedEntry;
import io.pgkb.store.catalog.SegmentStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The DDL records a restore plan covers (offsets {@code [from, to)}, {@code D <= commit_lsn <= T}), in stream order
 * and each once: from each segment object's header ({@link SegmentDdl}), and by reading the records where no header
 * says (segments written before 2026-12-07, the tail read from Kafka). So the plan names what it will replay and a
 * rewrite is refused before anything is read twice or built.
 */
final class DdlListing {
    private final Sources sources;
    private final ChangeDecoding decoding;

    DdlListing(Sources sources, ChangeDecoding decoding) {
        this.sources = sources;
        this.decoding = decoding;
    }

    List<RestorePlan.Ddl> of(TableId table, List<RestorePlan.PartitionPlan> partitions, long fromLsn, long toLsn) {
        Map<String, RestorePlan.Ddl> found = new TreeMap<>(); // by (commit_lsn, seq): duplicates (re-sends) once
        for (RestorePlan.PartitionPlan p : partitions) {
            for (Piece piece : p.pieces()) {
                long from = Math.max(p.from(), piece.first());
                long to = Math.min(p.to(), piece.last() + 1);
                if (from >= to) {
                    continue;
                }
                List<SegmentDdl> listed = piece instanceof Piece.Archived a ? SegmentStream.ddl(sources.store(), a.ref()) : null;
                if (listed != null) {
                    for (SegmentDdl d : listed) {
                        if (d.offset() >= from && d.offset() < to && Lsn.compare(d.commitLsn(), fromLsn) >= 0
                                && Lsn.compare(d.commitLsn(), toLsn) <= 0) {
                            add(found, new RestorePlan.Ddl(d.commitLsn(), d.seq(), d.commandTag(), d.rewrite(), d.dropped()));
                        }
                    }
                    continue;
                }
                try (PartitionStream s = new PartitionStream(sources, table, p.partition(), List.of(piece), from, to, fromLsn, toLsn)) {
                    for (ArchivedEntry e = s.head(); e != null; s.advance(), e = s.head()) {
                        DdlEvent d = decoding.ddlOrNull(e, table.toString());
                        if (d != null) {
                            add(found, new RestorePlan.Ddl(d.commitLsn(), d.seq(), d.commandTag(), d.rewrite(), d.dropped()));
                        }
                    }
                }
            }
        }
        List<RestorePlan.Ddl> list = new ArrayList<>(found.values());
        list.sort(Comparator.comparing(RestorePlan.Ddl::commitLsn, Long::compareUnsigned).thenComparingLong(RestorePlan.Ddl::seq));
        return List.copyOf(list);
    }

    private static void add(Map<String, RestorePlan.Ddl> found, RestorePlan.Ddl d) {
        found.putIfAbsent(Long.toUnsignedString(d.commitLsn()) + "/" + d.seq(), d);
    }
}
