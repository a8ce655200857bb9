package io.pgkb.archiver.dump;

import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.dump.DumpManifest;
import java.time.Duration;
import java.util.List;

/** A committed dump: every manifest is written, all at the same consistent point D. */
public record DumpResult(Lsn consistentPoint, List<DumpManifest> manifests, Duration elapsed) {
    public DumpResult {
        manifests = List.copyOf(manifests);
    }
}
