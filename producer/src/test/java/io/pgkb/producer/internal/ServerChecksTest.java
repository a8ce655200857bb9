package io.pgkb.producer.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.schemas.PgkbException;
import org.junit.jupiter.api.Test;

class ServerChecksTest {
    @Test
    void walLevelOtherThanLogicalNamesTheSettingAndTheFix() {
        assertThatThrownBy(() -> ServerChecks.checkWalLevel("replica", "postgres@db1:5432/app"))
                .isInstanceOf(PgkbException.ConfigException.class)
                .hasMessage("wal_level is 'replica' on postgres@db1:5432/app, logical decoding needs wal_level = logical: "
                        + "run ALTER SYSTEM SET wal_level = logical and restart PostgreSQL");
        assertThatCode(() -> ServerChecks.checkWalLevel("logical", "x")).doesNotThrowAnyException();
    }
}
