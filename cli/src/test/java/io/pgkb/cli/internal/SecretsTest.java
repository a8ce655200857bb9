package io.pgkb.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretsTest {
    @Test
    void masksUrlUserInfo() {
        assertThat(Secrets.mask("connecting to postgresql://alice:pa55word@db:5432/app now"))
                .isEqualTo("connecting to postgresql://alice:***@db:5432/app now");
        assertThat(Secrets.mask("s3://AKIA:wJalr%2Fxyz@host/bucket")).doesNotContain("wJalr");
    }

    @Test
    void masksKeyValueForms() {
        assertThat(Secrets.mask("jdbc:postgresql://db/app?user=a&password=hunter2&ssl=true"))
                .isEqualTo("jdbc:postgresql://db/app?user=a&password=***&ssl=true");
        assertThat(Secrets.mask("PGPASSWORD=hunter2 pgkb produce")).isEqualTo("PGPASSWORD=*** pgkb produce");
        assertThat(Secrets.mask("{\"password\":\"hun ter2\",\"user\":\"a\"}")).isEqualTo("{\"password\":\"***\",\"user\":\"a\"}");
        assertThat(Secrets.mask("sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p4ss\";"))
                .doesNotContain("p4ss").contains("username=\"u\"");
        assertThat(Secrets.mask("password: 'x y'")).isEqualTo("password: '***'");
    }

    @Test
    void leavesOrdinaryTextAlone() {
        String line = "segment written topic=pgkb.public.accounts partition=0 first=0 last=99 key=tables/public.accounts/x";
        assertThat(Secrets.mask(line)).isEqualTo(line);
        assertThat(Secrets.mask("connect to postgresql://alice@db:5432/app")).isEqualTo("connect to postgresql://alice@db:5432/app");
        assertThat(Secrets.mask("http://localhost:9000/bucket")).isEqualTo("http://localhost:9000/bucket");
    }
}
