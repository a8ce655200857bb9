package io.pgkb.archiver.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.schemas.Lsn;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link HeaderNumbers} reads what the library reads from the same bytes, or declines: on random text that is
 * mostly near the producer's form, its answer is always the library's ({@code Lsn.parse}, {@code Long.parseLong} of
 * the UTF-8 text) or "not taken here", and it declines only what the library rejects or what is not plain ASCII.
 */
class HeaderNumbersTest {
    private static final String ALPHABET = "0123456789abcdefABCDEFgG/-+ x\u0660\uFF11";

    @Test
    void lsnAgreesWithLsnParse() {
        Random rnd = new Random(5);
        int taken = 0;
        for (int i = 0; i < 200_000; i++) {
            String text = i % 2 == 0 ? Lsn.of(rnd.nextLong() >>> rnd.nextInt(64)).toString() : randomText(rnd);
            if (rnd.nextInt(10) == 0) {
                text = text.toLowerCase();
            }
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            long fast = HeaderNumbers.lsn(bytes);
            Long library;
            try {
                library = Lsn.parse(new String(bytes, StandardCharsets.UTF_8)).asLong();
            } catch (IllegalArgumentException e) {
                library = null;
            }
            if (fast != HeaderNumbers.NOT_A_NUMBER) {
                taken++;
                assertThat(library).as(text).isEqualTo(fast);
            } else if (library != null) {
                assertThat(library).as("declined only for the one value that is the marker: " + text)
                        .isEqualTo(HeaderNumbers.NOT_A_NUMBER);
            }
        }
        assertThat(taken).isGreaterThan(100_000);
    }

    @Test
    void decimalAgreesWithParseLong() {
        Random rnd = new Random(6);
        int taken = 0;
        for (int i = 0; i < 200_000; i++) {
            String text = switch (i % 3) {
                case 0 -> Long.toString(rnd.nextLong() >> rnd.nextInt(64));
                case 1 -> (rnd.nextBoolean() ? "+" : "") + rnd.nextInt(1000);
                default -> randomText(rnd);
            };
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            long fast = HeaderNumbers.decimal(bytes);
            Long library;
            try {
                library = Long.parseLong(new String(bytes, StandardCharsets.UTF_8));
            } catch (NumberFormatException e) {
                library = null;
            }
            if (fast != HeaderNumbers.NOT_A_NUMBER) {
                taken++;
                assertThat(library).as(text).isEqualTo(fast);
            } else if (library != null) {
                // declined but valid: more than 18 digits, non-ASCII digits, or Long.MIN_VALUE itself
                String digits = text.replaceFirst("^[+-]", "");
                assertThat(digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
                        || library == Long.MIN_VALUE).as(text).isTrue();
            }
        }
        assertThat(taken).isGreaterThan(100_000);
    }

    private static String randomText(Random rnd) {
        StringBuilder s = new StringBuilder();
        for (int n = rnd.nextInt(22); n > 0; n--) {
            s.append(ALPHABET.charAt(rnd.nextInt(rnd.nextInt(10) == 0 ? ALPHABET.length() : 23)));
        }
        return s.toString();
    }
}
