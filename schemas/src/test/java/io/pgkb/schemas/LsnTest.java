package io.pgkb.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LsnTest {

    @Test
    void knownConstantsRoundTrip() {
        assertThat(Lsn.parse("16/B374D848").asLong()).isEqualTo(0x16B374D848L);
        assertThat(Lsn.parse("16/B374D848").toString()).isEqualTo("16/B374D848");
        assertThat(Lsn.parse("0/0")).isEqualTo(Lsn.ZERO);
        assertThat(Lsn.ZERO.toString()).isEqualTo("0/0");
        assertThat(Lsn.parse("FFFFFFFF/FFFFFFFF")).isEqualTo(Lsn.MAX);
        assertThat(Lsn.MAX.asLong()).isEqualTo(-1L);
        assertThat(Lsn.MAX.toString()).isEqualTo("FFFFFFFF/FFFFFFFF");
        assertThat(Lsn.parse("0/16B3748").asLong()).isEqualTo(0x16B3748L);
        assertThat(Lsn.of(0x100000000L).toString()).isEqualTo("1/0");
    }

    @Test
    void lowerCaseInputIsAcceptedAndPrintedAsPostgresDoes() {
        assertThat(Lsn.parse("16/b374d848").toString()).isEqualTo("16/B374D848");
    }

    @Test
    void orderingIsUnsignedAbove2Pow63() {
        Lsn below = Lsn.parse("7FFFFFFF/FFFFFFFF");
        Lsn above = Lsn.parse("80000000/0");
        assertThat(above.asLong()).isNegative();
        assertThat(above).isGreaterThan(below);
        assertThat(above.isAfter(below)).isTrue();
        assertThat(Lsn.MAX).isGreaterThan(above);
        assertThat(Lsn.compare(above.asLong(), below.asLong())).isPositive();
        assertThat(Lsn.max(below, above)).isEqualTo(above);
        assertThat(Lsn.ZERO.isBefore(below)).isTrue();
    }

    @Test
    void hex16SortsLikeTheLsnAndRoundTrips() {
        Lsn a = Lsn.parse("7FFFFFFF/FFFFFFFF");
        Lsn b = Lsn.parse("80000000/0");
        assertThat(a.toHex16()).isEqualTo("7fffffffffffffff");
        assertThat(a.toHex16().compareTo(b.toHex16())).isNegative();
        assertThat(Lsn.fromHex16(b.toHex16())).isEqualTo(b);
        assertThat(Lsn.fromHex16(Lsn.MAX.toHex16())).isEqualTo(Lsn.MAX);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "16", "/1", "1/", "1/2/3", "G/0", "123456789/0", "0/123456789", "-1/0", "+1/0",
            " 1/2", "1/2 ", "0x1/2", "１/2"})
    void rejectsBadInput(String text) {
        assertThatThrownBy(() -> Lsn.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an LSN");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> Lsn.parse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Lsn.fromHex16("xyz")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Lsn.fromHex16("-000000000000001")).isInstanceOf(IllegalArgumentException.class);
    }
}
