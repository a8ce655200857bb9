package io.pgkb.restorer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyFilterTest {

    @Test
    void everyAddedKeyMayBeContainedAndFewOthersDo() {
        Random rnd = new Random(3);
        KeyFilter f = new KeyFilter(10_000);
        Set<Integer> added = new HashSet<>();
        // RowKey hashes of consecutive integer keys are consecutive too: the filter must spread them
        for (int i = 0; i < 10_000; i++) {
            int h = new RowKey(new String[] {Integer.toString(i)}).hashCode();
            f.add(h);
            added.add(h);
        }
        assertThat(added).allMatch(f::mayContain);
        int others = 0;
        int hits = 0;
        for (int i = 10_000; i < 110_000; i++) {
            int h = new RowKey(new String[] {Integer.toString(i)}).hashCode();
            if (!added.contains(h)) {
                others++;
                hits += f.mayContain(h) ? 1 : 0;
            }
        }
        // about 16 bits per key: ~6 % of other keys find a set bit
        assertThat((double) hits / others).isLessThan(0.10);
        assertThat(new KeyFilter(0).mayContain(rnd.nextInt())).isFalse();
    }
}
