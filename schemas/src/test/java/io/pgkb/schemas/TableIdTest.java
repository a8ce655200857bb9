package io.pgkb.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TableIdTest {

    @Test
    void parsesQuotedIdentifiersWithDoubledQuotes() {
        TableId t = TableId.parse("acc.\"Weird \"\"Name\"\"\"");
        assertThat(t.schema()).isEqualTo("acc");
        assertThat(t.table()).isEqualTo("Weird \"Name\"");
        assertThat(t.qualified()).isEqualTo("acc.Weird \"Name\"");
        assertThat(t.quoted()).isEqualTo("\"acc\".\"Weird \"\"Name\"\"\"");
        assertThat(TableId.parse(t.quoted())).isEqualTo(t);
    }

    @Test
    void unquotedFoldsToLowerCaseAndDefaultsToPublic() {
        assertThat(TableId.parse("Orders")).isEqualTo(new TableId("public", "orders"));
        assertThat(TableId.parse("Sales.Orders")).isEqualTo(new TableId("sales", "orders"));
        assertThat(TableId.parse("\"Sales\".\"a.b\"")).isEqualTo(new TableId("Sales", "a.b"));
    }

    @Test
    void listSplitsOnlyOutsideQuotes() {
        assertThat(TableId.parseList("a.b, \"x,y\".z ,c")).containsExactly(
                new TableId("a", "b"), new TableId("x,y", "z"), new TableId("public", "c"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a.", ".b", "a.b.c", "\"unterminated", "a b", "\"\".x", "a.\"b\"c"})
    void rejectsBadNames(String text) {
        assertThatThrownBy(() -> TableId.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void topicRoundTripForAnyIdentifier() {
        List<TableId> tables = List.of(new TableId("public", "orders"), new TableId("acc", "Weird \"Name\""),
                new TableId("a.b", "c"), new TableId("a", "b.c"), new TableId("s p", "t_u"), new TableId("größe", "表"),
                new TableId("x", "y-z"));
        for (TableId t : tables) {
            String topic = t.topic("pgkb");
            assertThat(topic).matches("[A-Za-z0-9._-]+").hasSizeLessThanOrEqualTo(249);
            assertThat(TableId.fromTopic("pgkb", topic)).contains(t);
            assertThat(TableId.fromArchiveName(t.archiveName())).contains(t);
        }
        assertThat(TableId.fromTopic("pgkb", "pgkb._schemas")).isEmpty();
        assertThat(TableId.fromTopic("pgkb", "other.a.b")).isEmpty();
    }

    @Test
    void twoDifferentTablesNeverShareATopic() {
        // pairs that naive schemes (join with '.', replace '_' or '.') would merge
        List<TableId> tables = List.of(new TableId("a.b", "c"), new TableId("a", "b.c"), new TableId("a_b", "c"),
                new TableId("a", "b_c"), new TableId("a__b", "c"), new TableId("a_2eb", "c"), new TableId("A", "c"),
                new TableId("a", "c"), new TableId("a b", "c"), new TableId("a_20b", "c"), new TableId("a-b", "c"),
                new TableId("a_2db", "c"));
        Map<String, TableId> byTopic = new HashMap<>();
        for (TableId t : tables) {
            TableId prev = byTopic.put(t.topic("pgkb"), t);
            assertThat(prev).as("topic of %s also used by %s", t, prev).isNull();
        }
    }

    @Test
    void thePrefixOfATableTopicIsAllBeforeItsLastTwoDots() {
        assertThat(TableId.prefixOfTopic(new TableId("a.b", "c.d").topic("team.pgkb"))).contains("team.pgkb");
        assertThat(TableId.prefixOfTopic("pgkb.public.t")).contains("pgkb");
        assertThat(TableId.prefixOfTopic("public.t")).isEmpty();
        assertThat(TableId.prefixOfTopic("t")).isEmpty();
    }
}
