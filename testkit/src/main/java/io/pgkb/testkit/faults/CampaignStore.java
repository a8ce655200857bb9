package io.pgkb.testkit.faults;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where the campaign's archive lives: the {@code --store} value, the other options and environment every command
 * needs for it, and (for an object store) how to make it unreachable and reachable again.
 */
public record CampaignStore(String uri, List<String> options, Map<String, String> environment, Runnable outageStart,
                            Runnable outageEnd) {

    public static CampaignStore directory(Path dir) {
        return new CampaignStore(dir.toString(), List.of(), Map.of(), null, null);
    }

    public boolean canFail() {
        return outageStart != null;
    }
}
