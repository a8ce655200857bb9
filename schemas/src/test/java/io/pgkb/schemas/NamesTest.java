package io.pgkb.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"orders", "order_items", "Weird \"Name\"", "a.b", "with space", "__pgkb", "_", "a-b",
            "Größe", "表", "emoji😀", "x_2e", "trailing_", "UPPER", "1starts_with_digit", "tab\there"})
    void escapeRoundTripsAndUsesOnlySafeCharacters(String ident) {
        String e = Names.escape(ident);
        assertThat(e).matches("[A-Za-z0-9_-]+");
        assertThat(e).doesNotContain(".");
        assertThat(Names.unescape(e)).isEqualTo(ident);
    }

    @Test
    void documentedExamples() {
        assertThat(Names.escape("order_items")).isEqualTo("order__items");
        assertThat(Names.escape("\"Weird Name\"")).isEqualTo("_22Weird_20Name_22");
        assertThat(Names.escape("a.b")).isEqualTo("a_2eb");
        assertThat(Names.escape("ä")).isEqualTo("_c3_a4");
    }

    @Test
    void escapingIsInjectiveOnTrickyNeighbours() {
        List<String> idents = List.of("a_b", "a__b", "a_5fb", "a.b", "a_2eb", "a b", "a_20b", "_", "__", "_5f", "a-b",
                "a_2db");
        Set<String> seen = new HashSet<>();
        for (String i : idents) {
            assertThat(seen.add(Names.escape(i))).as(i).isTrue();
        }
    }

    @Test
    void unescapeRejectsWhatEscapeNeverProduces() {
        assertThatThrownBy(() -> Names.unescape("a.b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Names.unescape("a_")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Names.unescape("a_zz")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void avroNames() {
        assertThat(Names.avroName("id")).isEqualTo("id");
        assertThat(Names.avroName("order_id")).isEqualTo("order_id");
        assertThat(Names.avroName("Weird Name")).isEqualTo("_Weird_20Name");
        assertThat(Names.avroName("1st")).isEqualTo("_1st");
        assertThat(Names.avroName("a-b")).isEqualTo("_a_2db");
        for (String s : List.of("a b", "1", "Größe", "a-b", "\"q\"", "x.y")) {
            assertThat(Names.avroName(s)).matches("[A-Za-z_][A-Za-z0-9_]*");
        }
    }
}
