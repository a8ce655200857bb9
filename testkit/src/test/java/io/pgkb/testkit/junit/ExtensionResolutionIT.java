package io.pgkb.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.testkit.LocalPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Where and how often the extension hands out databases: once per top-level test class
 * (nested classes share it), in every injection point. */
@RealServices
class ExtensionResolutionIT {
    private static TestDatabase fromBeforeAll;
    private final TestDatabase fromConstructor;

    ExtensionResolutionIT(TestDatabase db) {
        this.fromConstructor = db;
    }

    @BeforeAll
    static void remember(TestDatabase db) {
        fromBeforeAll = db;
        db.execute("CREATE TABLE IF NOT EXISTS marker (v text)", "INSERT INTO marker VALUES ('outer')");
    }

    @Test
    void constructorBeforeAllAndTestMethodShareTheClassDatabase(TestDatabase db, LocalPostgres pg) {
        assertThat(db).isSameAs(fromBeforeAll).isSameAs(fromConstructor);
        assertThat(db.port()).isEqualTo(pg.port());
        assertThat(db.queryForString("SELECT v FROM marker")).isEqualTo("outer");
    }

    @Nested
    class Inner {
        @Test
        void aNestedClassSharesTheEnclosingClassDatabase(TestDatabase db) {
            assertThat(db).isSameAs(fromBeforeAll);
            assertThat(db.queryForString("SELECT v FROM marker")).isEqualTo("outer");
        }
    }
}
