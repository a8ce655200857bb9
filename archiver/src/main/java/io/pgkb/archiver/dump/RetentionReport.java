package io.pgkb.archiver.dump;

import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;
import java.util.List;
import java.util.Map;

/**
 * What one retention pass did for one table.
 *
 * @param replayStart per partition, the first offset the oldest retained dump needs (segments wholly below it
 *                    were deleted); empty when nothing was proven deletable
 */
public record RetentionReport(TableId table, List<Lsn> retainedDumps, List<Lsn> deletedDumps, List<String> deletedGarbage,
                              List<String> deletedSegments, Map<Integer, Long> replayStart) {
    public RetentionReport {
        retainedDumps = List.copyOf(retainedDumps);
        deletedDumps = List.copyOf(deletedDumps);
        deletedGarbage = List.copyOf(deletedGarbage);
        deletedSegments = List.copyOf(deletedSegments);
        replayStart = Map.copyOf(replayStart);
    }
}
