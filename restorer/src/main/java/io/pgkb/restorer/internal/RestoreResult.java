package io.pgkb.restorer.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a restore did: its plan, and for a real restore the dump rows loaded and changes applied; where the time
 * went (planning, building the tables, the swap; for a dry run, planning and verifying).
 */
public record RestoreResult(RestorePlan plan, boolean dryRun, long rows, long changes, long planMillis, long buildMillis,
                            long swapMillis, long totalMillis) {

    /** The restore point T. */
    public long point() {
        return plan.target();
    }

    /** The JSON document of {@code restore --json}: the plan's fields, then {@code result}. */
    public Map<String, Object> toJson() {
        Map<String, Object> doc = new LinkedHashMap<>(plan.toJson());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("status", dryRun ? "verified, nothing restored (dry run)" : "restored");
        result.put("rows", rows);
        result.put("changes", changes);
        result.put("plan_ms", planMillis);
        if (dryRun) {
            result.put("verify_ms", totalMillis - planMillis);
        } else {
            result.put("build_ms", buildMillis);
            result.put("swap_ms", swapMillis);
        }
        result.put("total_ms", totalMillis);
        doc.put("result", result);
        return doc;
    }
}
