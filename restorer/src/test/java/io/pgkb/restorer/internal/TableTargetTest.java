package io.pgkb.restorer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.restorer.TableTarget;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableTargetTest {
    @Test
    void parsesRenamesAndQuotedNames() {
        List<TableTarget> l = TableTarget.parseList("public.a, acc.\"Weird, =Name\"=restored.\"W\",b=x.b2");
        assertThat(l).containsExactly(
                new TableTarget(new TableId("public", "a"), new TableId("public", "a")),
                new TableTarget(new TableId("acc", "Weird, =Name"), new TableId("restored", "W")),
                new TableTarget(new TableId("public", "b"), new TableId("x", "b2")));
    }

    @Test
    void rejectsDuplicateTargetsAndBadNames() {
        assertThatThrownBy(() -> TableTarget.parseList("a=x.t,b=x.t")).isInstanceOf(PgkbException.ConfigException.class)
                .hasMessageContaining("--tables").hasMessageContaining("x.t");
        assertThatThrownBy(() -> TableTarget.parseList("a=b=c")).isInstanceOf(PgkbException.ConfigException.class);
        assertThatThrownBy(() -> TableTarget.parseList(" , ")).isInstanceOf(PgkbException.ConfigException.class);
        assertThatThrownBy(() -> TableTarget.parseList("a.b.c")).isInstanceOf(PgkbException.ConfigException.class)
                .hasMessageContaining("--tables");
    }
}
