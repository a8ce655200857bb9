package io.pgkb.schemas.segment;

import java.util.ArrayList;
import java.util.List;

/**
 * One DDL record of a segment as the segment's header lists it (metadata {@code pgkb.ddl}): a restore plan names the
 * definition changes it will replay, and refuses a rewrite, from the headers alone instead of reading every segment
 * twice. Written since 2026-12-07; a segment without the key (older, or one holding a DDL record that did not decode)
 * must be read to know.
 */
public record SegmentDdl(long offset, long commitLsn, long seq, boolean rewrite, boolean dropped, String commandTag) {
    public static final String KEY = "pgkb.ddl";

    /** One line per record: {@code offset commit_lsn seq flags command tag}, flags {@code r}/{@code d} or {@code -}. */
    static String format(List<SegmentDdl> list) {
        StringBuilder b = new StringBuilder();
        for (SegmentDdl d : list) {
            b.append(d.offset).append(' ').append(Long.toUnsignedString(d.commitLsn)).append(' ').append(d.seq).append(' ')
                    .append(d.rewrite ? 'r' : '-').append(d.dropped ? 'd' : '-').append(' ').append(d.commandTag).append('\n');
        }
        return b.toString();
    }

    static List<SegmentDdl> parse(String text, String object) {
        List<SegmentDdl> list = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(" ", 5);
            try {
                if (f.length < 5 || f[3].length() != 2) {
                    throw new IllegalArgumentException("expected 5 fields");
                }
                list.add(new SegmentDdl(Long.parseLong(f[0]), Long.parseUnsignedLong(f[1]), Long.parseLong(f[2]),
                        f[3].charAt(0) == 'r', f[3].charAt(1) == 'd', f[4]));
            } catch (IllegalArgumentException e) {
                throw new SegmentCorruptException(object, "bad " + KEY + " line '" + line + "': " + e.getMessage());
            }
        }
        return List.copyOf(list);
    }
}
