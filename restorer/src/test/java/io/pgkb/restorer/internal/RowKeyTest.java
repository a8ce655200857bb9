package io.pgkb.restorer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Keys held inline must be equal exactly when their values are ({@link Arrays#equals}), whatever the values. */
class RowKeyTest {
    private final SplittableRandom r = new SplittableRandom(7);

    @Test
    void equalityIsThatOfTheValuesForRandomKeys() {
        int equal = 0;
        for (int i = 0; i < 200_000; i++) {
            String[] a = key();
            String[] b = r.nextInt(3) == 0 ? a.clone() : r.nextBoolean() ? near(a) : key();
            RowKey x = new RowKey(a);
            RowKey y = new RowKey(b);
            boolean expected = Arrays.equals(a, b);
            assertThat(x.equals(y)).as("%s vs %s", x, y).isEqualTo(expected);
            assertThat(y.equals(x)).as("%s vs %s", y, x).isEqualTo(expected);
            if (expected) {
                assertThat(x.hashCode()).isEqualTo(y.hashCode());
                equal++;
            }
        }
        assertThat(equal).isGreaterThan(60_000);
    }

    @Test
    void keysThatDifferOnlyInTheirLastInlineCharacterOrLengthDiffer() {
        assertThat(new RowKey(new String[] {"1234567890123456"})).isNotEqualTo(new RowKey(new String[] {"1234567890123457"}));
        assertThat(new RowKey(new String[] {"123456789012345"})).isNotEqualTo(new RowKey(new String[] {"1234567890123450"}));
        assertThat(new RowKey(new String[] {"a\0"})).isNotEqualTo(new RowKey(new String[] {"a"}));
        assertThat(new RowKey(new String[] {"ÿ"})).isNotEqualTo(new RowKey(new String[] {"\u01ff"}));
        assertThat(new RowKey(new String[] {null})).isEqualTo(new RowKey(new String[] {null}));
        assertThat(new RowKey(new String[] {""})).isNotEqualTo(new RowKey(new String[] {null}));
    }

    /** One to three values: short numbers, Latin-1 and wider characters, lengths around the inline limit, NULLs. */
    private String[] key() {
        String[] k = new String[r.nextInt(4) == 0 ? r.nextInt(2, 4) : 1];
        for (int i = 0; i < k.length; i++) {
            k[i] = r.nextInt(10) == 0 ? null : value();
        }
        return k;
    }

    private String value() {
        if (r.nextBoolean()) {
            return Long.toString(r.nextLong(-50, 50) * (r.nextBoolean() ? 1 : 1_000_000_000_000L));
        }
        StringBuilder sb = new StringBuilder();
        int len = r.nextInt(RowKey.INLINE - 2, RowKey.INLINE + 3);
        for (int i = 0; i < len; i++) {
            sb.append(switch (r.nextInt(4)) {
                case 0 -> (char) r.nextInt(1, 3);
                case 1 -> (char) r.nextInt(0xFE, 0x102);
                default -> (char) r.nextInt('a', 'd');
            });
        }
        return sb.toString();
    }

    /**
     * The same key with one value changed in one character, cut by one, or changed in two neighbouring characters
     * so that its hash code stays the same ({@code 31 * c1 + c2}): only the comparison itself can tell those apart.
     */
    private String[] near(String[] a) {
        String[] b = a.clone();
        int i = r.nextInt(b.length);
        String v = b[i];
        if (v == null || v.isEmpty()) {
            b[i] = v == null ? "" : null;
        } else if (v.length() >= 2 && r.nextInt(3) == 0) {
            int at = r.nextInt(v.length() - 1);
            char c1 = v.charAt(at);
            char c2 = v.charAt(at + 1);
            b[i] = c2 >= 31 ? v.substring(0, at) + (char) (c1 + 1) + (char) (c2 - 31) + v.substring(at + 2)
                    : v.substring(0, at) + (char) (c1 - 1) + (char) (c2 + 31) + v.substring(at + 2);
            assertThat(b[i].hashCode()).isEqualTo(v.hashCode());
        } else if (r.nextBoolean()) {
            b[i] = v.substring(0, v.length() - 1);
        } else {
            int at = r.nextInt(v.length());
            b[i] = v.substring(0, at) + (char) (v.charAt(at) ^ (1 << r.nextInt(9))) + v.substring(at + 1);
        }
        return b;
    }
}
