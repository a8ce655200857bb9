package io.pgkb.schemas.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdOutputStream;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.ddl.TableDefinition;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class DumpManifestTest {

    static DumpManifest manifest(long rows, long bytes, long raw, String sha) {
        Lsn d = Lsn.parse("16/B374D848");
        return new DumpManifest(DumpManifest.FORMAT_VERSION, "acc", "Weird \"Name\".x ü", d.toString(), d.asLong(),
                "00000003-00000002-1", "17.6", 170006, "2026-11-21T13:00:00Z",
                List.of(new DumpManifest.Column("id", "bigint", 20, true, 1),
                        new DumpManifest.Column("Note \"x\"", "character varying(20)", 1043, false, 3)),
                List.of("id"), rows, "pgkb/v1/tables/x/dumps/00000016b374d848/data.copy.zst", DumpFormat.DATA_FORMAT,
                bytes, raw, sha, DumpFormat.SESSION_SETTINGS);
    }

    @Test
    void roundTripsThroughJsonWithSnakeCaseNames() {
        DumpManifest m = manifest(2, 10, 20, "ab");
        byte[] json = m.toJson();
        String text = new String(json, StandardCharsets.UTF_8);
        assertThat(text).contains("\"lsn\" : \"16/B374D848\"", "\"primary_key\"", "\"data_sha256\"", "\"type_oid\" : 1043",
                "\"data_format\" : \"copy-text+zstd\"");
        DumpManifest back = DumpManifest.fromJson(json, "x");
        assertThat(back).isEqualTo(m);
        assertThat(back.tableId()).isEqualTo(new TableId("acc", "Weird \"Name\".x ü"));
        assertThat(back.consistentPoint()).isEqualTo(Lsn.parse("16/B374D848"));
    }

    @Test
    void carriesTheDefinitionAndReadsManifestsWithoutOne() throws IOException {
        DumpManifest old = manifest(2, 10, 20, "ab");
        assertThat(DumpManifest.fromJson(old.toJson(), "x").definition()).isNull();
        TableDefinition def = TableDefinition.fromJson(io.pgkb.schemas.ddl.TableDefinitionTest.fixture());
        DumpManifest m = new DumpManifest(old.formatVersion(), old.schema(), old.table(), old.lsn(), old.lsnValue(),
                old.snapshot(), old.serverVersion(), old.serverVersionNum(), old.takenAt(), old.columns(), old.primaryKey(),
                old.rowCount(), old.dataKey(), old.dataFormat(), old.dataBytes(), old.uncompressedBytes(), old.dataSha256(),
                old.copySettings(), def);
        String json = new String(m.toJson(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"definition\" : {", "\"not_null\" : true");
        DumpManifest back = DumpManifest.fromJson(json.getBytes(StandardCharsets.UTF_8), "x");
        assertThat(back.definition()).isEqualTo(def);
        assertThat(back.definition().oid()).isEqualTo(def.oid());
        assertThatThrownBy(() -> DumpManifest.fromJson(json.replace("\"format_version\" : 1,\n    \"oid\"",
                "\"format_version\" : 2,\n    \"oid\"").getBytes(StandardCharsets.UTF_8), "m"))
                .isInstanceOf(PgkbException.ArchiveIncompleteException.class)
                .hasMessageContaining("definition of format_version 2");
    }

    @Test
    void refusesManifestsItCannotTrust() {
        assertThatThrownBy(() -> DumpManifest.fromJson("{not json".getBytes(), "s3://b/m.json"))
                .isInstanceOf(PgkbException.ArchiveIncompleteException.class).hasMessageContaining("s3://b/m.json");
        String json = new String(manifest(1, 1, 1, "a").toJson(), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> DumpManifest.fromJson(json.replace("\"format_version\" : 1", "\"format_version\" : 9")
                .getBytes(), "m")).hasMessageContaining("format_version 9");
        assertThatThrownBy(() -> DumpManifest.fromJson(json.replace("\"16/B374D848\"", "\"16/B374D849\"")
                .getBytes(), "m")).hasMessageContaining("disagree");
    }

    @Test
    void verifiedStreamAcceptsIntactDataAndRejectsCorruption() throws Exception {
        byte[] copy = "1\ta\\nb\n2\t\\N\n".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZstdOutputStream z = new ZstdOutputStream(bos)) {
            z.write(copy);
        }
        byte[] data = bos.toByteArray();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));

        DumpManifest ok = manifest(2, data.length, copy.length, sha);
        assertThat(readAll(DumpFormat.openVerified(new ByteArrayInputStream(data), ok, "k"))).isEqualTo(copy);

        DumpManifest wrongRows = manifest(3, data.length, copy.length, sha);
        assertThatThrownBy(() -> readAll(DumpFormat.openVerified(new ByteArrayInputStream(data), wrongRows, "k")))
                .isInstanceOf(PgkbException.ArchiveIncompleteException.class).hasMessageContaining("3 rows");

        byte[] bad = data.clone();
        bad[bad.length - 1] ^= 1;
        assertThatThrownBy(() -> readAll(DumpFormat.openVerified(new ByteArrayInputStream(bad), ok, "k")))
                .isInstanceOfAny(PgkbException.ArchiveIncompleteException.class, IOException.class);
    }

    @Test
    void columnListAndCopySqlQuoteNames() {
        DumpManifest m = manifest(0, 0, 0, "a");
        assertThat(DumpFormat.copyFromSql(new TableId("t s", "n\"x"), m))
                .isEqualTo("COPY \"t s\".\"n\"\"x\" (\"id\", \"Note \"\"x\"\"\") FROM STDIN");
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }
}
