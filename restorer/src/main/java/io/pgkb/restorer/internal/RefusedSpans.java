package io.pgkb.restorer.internal;

import io.pgkb.schemas.SchemaResolver;
import io.pgkb.schemas.TableId;
import io.pgkb.store.catalog.ArchiveCatalog;
import io.pgkb.store.catalog.DumpRef;
import io.pgkb.store.catalog.SegmentRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The points of a table a restore refuses because a DDL rewrote or dropped it: from the DDL's commit until the next
 * dump. {@code pgkb list} shows them; they are found as the plan finds them (DdlListing over the archived segment
 * objects, from their headers where these list the DDL records, and RewriteRefusal's rule), so list and restore agree.
 */
public final class RefusedSpans {
    private RefusedSpans() {
    }

    /**
     * Points in {@code [fromLsn, untilLsn)} are refused; {@code untilLsn} null: no dump after the DDL yet.
     *
     * @param commandTag the first refusing DDL of the span, as the restore's refusal names it
     */
    public record Span(long fromLsn, Long untilLsn, String commandTag, boolean dropped) {
    }

    /** The spans among the archived DDL records with {@code fromLsn <= commit_lsn <= toLsn}, oldest first. */
    public static List<Span> of(ArchiveCatalog catalog, SchemaResolver schemas, String prefix, TableId table, long fromLsn, long toLsn) {
        List<RestorePlan.PartitionPlan> archived = new ArrayList<>();
        for (Map.Entry<Integer, List<SegmentRef>> e : catalog.segments(table).entrySet()) {
            List<SegmentRef> refs = e.getValue();
            long from = refs.stream().mapToLong(SegmentRef::firstOffset).min().orElse(0);
            long to = refs.stream().mapToLong(SegmentRef::lastOffset).max().orElse(-1) + 1;
            List<Piece> pieces = Coverage.of(refs, from, to).pieces().stream().filter(p -> p instanceof Piece.Archived).toList();
            archived.add(new RestorePlan.PartitionPlan(e.getKey(), from, to, pieces));
        }
        List<RestorePlan.Ddl> ddl = new DdlListing(new Sources(catalog.store(), null, prefix), new ChangeDecoding(schemas))
                .of(table, archived, fromLsn, toLsn);
        List<DumpRef> dumps = catalog.dumps(table);
        List<Span> spans = new ArrayList<>();
        for (RestorePlan.Ddl d : ddl) {
            if (!RewriteRefusal.refuses(d)) {
                continue;
            }
            Long until = RewriteRefusal.nextDump(dumps, d.commitLsn()).map(r -> r.lsn().asLong()).orElse(null);
            Span last = spans.isEmpty() ? null : spans.get(spans.size() - 1);
            if (last == null || !Objects.equals(last.untilLsn(), until)) { // else within the span before it
                spans.add(new Span(d.commitLsn(), until, d.commandTag(), d.dropped()));
            }
        }
        return List.copyOf(spans);
    }
}
