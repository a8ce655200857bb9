package io.pgkb.schemas.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link SourceTail}'s backward varint check agrees with "writing the value again gives the same bytes". */
class SourceTailTest {

    @Test
    void canonicalVarintCheckAgreesWithReEncoding() {
        Random rnd = new Random(3);
        int canonical = 0;
        for (int i = 0; i < 500_000; i++) {
            byte[] v = new byte[SourceTail.SINGLE_OBJECT_HEADER + 1 + rnd.nextInt(14)];
            for (int k = 0; k < v.length; k++) {
                int kind = rnd.nextInt(6);
                v[k] = (byte) (kind == 0 ? 0 : kind == 1 ? 1 : kind == 2 ? 0x80 : kind == 3 ? 0x81 : rnd.nextInt(256));
            }
            int end = SourceTail.SINGLE_OBJECT_HEADER + 1 + rnd.nextInt(v.length - SourceTail.SINGLE_OBJECT_HEADER);
            int start = SourceTail.canonicalVarintBefore(v, end);
            assertThat(start).isEqualTo(byReEncoding(v, end));
            canonical += start >= 0 ? 1 : 0;
        }
        assertThat(canonical).isGreaterThan(50_000);
    }

    /** The rule as first written: the varint ending at {@code end}, accepted only if re-encoding its value matches. */
    private static int byReEncoding(byte[] v, int end) {
        if ((v[end - 1] & 0x80) != 0) {
            return AvroBinary.BAD;
        }
        int start = end - 1;
        while (start > 0 && (v[start - 1] & 0x80) != 0 && end - start < 10) {
            start--;
        }
        long raw = AvroBinary.varintValue(v, start, end);
        if (AvroBinary.varintSize(raw) != end - start || !AvroBinary.varintAt(v, start, raw)) {
            return AvroBinary.BAD;
        }
        return start <= SourceTail.SINGLE_OBJECT_HEADER ? AvroBinary.BAD : start;
    }
}
