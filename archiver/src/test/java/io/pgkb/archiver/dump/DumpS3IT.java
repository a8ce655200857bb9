package io.pgkb.archiver.dump;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.dump.DumpFormat;
import io.pgkb.schemas.dump.DumpManifest;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.ObjectStores;
import io.pgkb.store.S3Options;
import io.pgkb.testkit.LocalS3;
import io.pgkb.testkit.junit.RealServices;
import io.pgkb.testkit.junit.TestDatabase;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code pgkb dump} into S3 (S3Proxy): a data object larger than one part goes up as a multipart upload. */
@RealServices
class DumpS3IT {

    @AfterEach
    void clearCredentials() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }

    @Test
    void dumpLandsInS3WithMultipartDataAndVerifies(TestDatabase db, LocalS3 s3) throws Exception {
        db.execute("CREATE TABLE wide (id int PRIMARY KEY, a text, b text)",
                // hex digests compress about 2x: ~28 MiB of COPY text, well over one 5 MiB part once compressed
                "INSERT INTO wide SELECT g, md5(g::text) || md5((g + 1)::text), md5((g * 7)::text) "
                        + "FROM generate_series(1, 300000) g");
        s3.createBucket("dumps");
        // the standard AWS chain: system properties, as an operator would use env variables
        System.setProperty("aws.accessKeyId", s3.accessKey());
        System.setProperty("aws.secretAccessKey", s3.secretKey());

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new DumpCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute("--pg", db.uri(), "--store", "s3://dumps/team-a", "--s3-endpoint", s3.endpoint().toString(),
                "--s3-path-style", "--s3-region", s3.region(), "--s3-part-size", "5MiB", "--tables", "wide",
                "--progress-interval", "0s");
        assertThat(exit).as(err.toString()).isZero();
        Matcher m = Pattern.compile("dump at D=(\\S+)").matcher(out.toString());
        assertThat(m.find()).isTrue();
        Lsn d = Lsn.parse(m.group(1));

        TableId t = new TableId("public", "wide");
        ArchiveLayout layout = new ArchiveLayout("pgkb");
        S3Options opts = S3Options.defaults().withEndpoint(s3.endpoint(), true).withRegion(s3.region());
        try (ObjectStore store = ObjectStores.open("s3://dumps/team-a", opts)) {
            DumpManifest manifest = DumpManifest.fromJson(store.get(layout.dumpManifest(t, d)), "manifest");
            assertThat(manifest.rowCount()).isEqualTo(300000);
            assertThat(manifest.dataBytes()).isGreaterThan(5L << 20);
            long lines = 0;
            try (InputStream in = DumpFormat.openVerified(store.open(manifest.dataKey()), manifest, manifest.dataKey())) {
                byte[] buf = new byte[1 << 16];
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            lines++;
                        }
                    }
                }
            }
            assertThat(lines).isEqualTo(300000);
            assertThat(store.list(layout.dumpDir(t, d))).extracting(ObjectStore.ObjectInfo::key)
                    .containsExactly(layout.dumpData(t, d), layout.dumpManifest(t, d));
        }
    }
}
