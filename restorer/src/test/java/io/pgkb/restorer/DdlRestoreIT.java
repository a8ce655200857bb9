package io.pgkb.restorer;

import static io.pgkb.restorer.ChainEnv.md5;
import static io.pgkb.restorer.ChainEnv.one;
import static io.pgkb.restorer.ChainEnv.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgkb.producer.ProducerSettings.DdlCaptureMode;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.ddl.DefinitionReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * DDL capture through the real chain (producer → Kafka → archiver → restorer): each DDL of DESIGN §11 runs with no
 * later change to the table before a quiesced checkpoint, and every checkpoint restores to the source's rows and
 * definition (canonical text, names normalised); the plan names the DDL it replays; right after a rewrite the plan
 * refuses (exit 3, also as a dry run, nothing created) naming it, and after the table's next dump it is exact again.
 * Dropped indexes, triggers, policies and constraints, GRANT/REVOKE (table and column), ALTER TABLE OWNER and COMMENT ON
 * are DDL records too, so a restore to a point after each has the source's definition there; a point after the table
 * was dropped (and re-created) is refused. {@code list} shows both refused spans (from the DDL to the next dump).
 */
class DdlRestoreIT {
    private static final TableId ACCT = new TableId("public", "acct");

    /** @param ddl the DDL statements that ran on the table since the dump, all of which the plan names */
    record Checkpoint(String what, Lsn lsn, String md5, String columns, String definition, int ddl) {
    }

    @Test
    void everyDdlCheckpointRestoresExactly() throws Exception {
        try (ChainEnv env = new ChainEnv(); Connection src = env.source()) {
            // roles are the cluster's (source and target share it); the trigger function is needed in both databases
            sql(src, "DO $$ BEGIN CREATE ROLE pgkb_ddl_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                    "DO $$ BEGIN CREATE ROLE pgkb_ddl_owner; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
            String touch = "CREATE FUNCTION public.acct_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$";
            try (Connection tgt = env.target()) {
                sql(tgt, touch);
            }
            sql(src, touch, "CREATE TABLE acct (id int PRIMARY KEY, qty int NOT NULL, note text)",
                    "INSERT INTO acct SELECT g, g, 'n' || g FROM generate_series(1, 50) g");
            env.startProducer(2, DdlCaptureMode.REQUIRE);
            env.dump(ACCT);
            env.startArchiver(20, env.store, true);
            List<Checkpoint> cps = new ArrayList<>();
            String[][] steps = {
                    {"add column with a constant default", "ALTER TABLE acct ADD COLUMN c varchar(10) DEFAULT 'x'"},
                    {"rename column", "ALTER TABLE acct RENAME COLUMN note TO memo"},
                    {"changes after the DDL", "UPDATE acct SET qty = qty + 1 WHERE id <= 5", "INSERT INTO acct (id, qty) VALUES (51, 1)"},
                    {"drop column", "ALTER TABLE acct DROP COLUMN memo"},
                    {"index, default, constraint", "CREATE INDEX acct_qty ON acct (qty)", "ALTER TABLE acct ALTER COLUMN c SET DEFAULT 'y'",
                            "ALTER TABLE acct ADD CONSTRAINT qty_positive CHECK (qty > 0)"},
                    {"add column with a stable default", "ALTER TABLE acct ADD COLUMN at date DEFAULT '2024-01-02'::date"},
                    {"non-rewriting type change", "ALTER TABLE acct ALTER COLUMN c TYPE varchar(20)"},
                    {"privileges, owner, comments", "GRANT SELECT, UPDATE ON acct TO pgkb_ddl_reader",
                            "GRANT INSERT (qty) ON acct TO pgkb_ddl_reader", "ALTER TABLE acct OWNER TO pgkb_ddl_owner",
                            "COMMENT ON TABLE acct IS 'accounts'", "COMMENT ON COLUMN acct.qty IS 'units'"},
                    {"trigger, policy, row-level security",
                            "CREATE TRIGGER acct_touch BEFORE UPDATE ON acct FOR EACH ROW EXECUTE FUNCTION public.acct_touch()",
                            "CREATE POLICY acct_positive ON acct USING (qty > 0)", "ALTER TABLE acct ENABLE ROW LEVEL SECURITY"},
                    // dropped from a table that stays: seen by sql_drop, reported with the table's definition after it
                    // (each step's last DDL is the one its checkpoint's definition proves; the count proves the others)
                    {"drop constraint, trigger, policy, index", "ALTER TABLE acct DROP CONSTRAINT qty_positive",
                            "DROP TRIGGER acct_touch ON acct", "DROP POLICY acct_positive ON acct", "DROP INDEX acct_qty"},
                    // a GRANT names no table to an event trigger: found by the catalog rows its (sub)transaction wrote
                    {"comment removed, revoke", "COMMENT ON COLUMN acct.qty IS NULL", "REVOKE INSERT (qty) ON acct FROM pgkb_ddl_reader",
                            "BEGIN; SAVEPOINT s; REVOKE UPDATE ON acct FROM pgkb_ddl_reader; RELEASE s; COMMIT"}};
            int ddl = 0;
            for (String[] step : steps) {
                for (int i = 1; i < step.length; i++) {
                    sql(src, step[i]);
                    ddl += step[i].matches("(BEGIN; SAVEPOINT s; )?(ALTER|CREATE|DROP|GRANT|REVOKE|COMMENT) .*") ? 1 : 0;
                }
                cps.add(checkpoint(src, step[0], ddl));
            }
            Checkpoint last = cps.get(cps.size() - 1);
            env.awaitRestorable(ACCT.qualified(), "--to-lsn", last.lsn().toString());
            int n = 0;
            for (Checkpoint c : cps) {
                n++;
                assertThat(env.restoreTo(ACCT.qualified() + "=c" + n + ".acct", "--to-lsn", c.lsn().toString()))
                        .as("%s: %s", c.what(), env.lastError).isZero();
                assertThat(env.lastOutput).doesNotContain("DDL capture was")
                        .contains("definition changes replayed (" + c.ddl() + ")");
                try (Connection tgt = env.target()) {
                    TableId restored = new TableId("c" + n, "acct");
                    assertThat(columns(tgt, restored)).as(c.what()).isEqualTo(c.columns());
                    assertThat(md5(tgt, restored)).as(c.what()).isEqualTo(c.md5());
                    assertThat(DefinitionReader.read(tgt, restored).canonical()).as(c.what()).isEqualTo(c.definition());
                }
            }
            assertThat(env.lastOutput).contains(" CREATE INDEX\n").contains(" ALTER TABLE\n");
            assertThat(env.restoreTo(ACCT.qualified() + "=j.acct", "--to-lsn", last.lsn().toString(), "--dry-run", "--json")).isZero();
            assertThat(env.lastOutput).containsPattern("\"command_tag\"\\s*:\\s*\"CREATE INDEX\"")
                    .containsPattern("\"ddl_capture\"\\s*:\\s*\"on\"");

            // a rewrite: refused right after it, exact once the table's next dump exists
            sql(src, "ALTER TABLE acct ALTER COLUMN qty TYPE bigint USING qty * 10");
            Checkpoint rewritten = checkpoint(src, "rewrite", 0);
            // refused when the plan is made: a dry run exits 3 with the restore's line, and nothing is created
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
                ChainEnv.writeWalElsewhere();
                return env.restoreTo(ACCT.qualified() + "=r0.acct", "--to-lsn", rewritten.lsn().toString(), "--dry-run") == 3
                        && env.lastError.contains("rewrote the table");
            });
            String refusal = env.lastError.substring(0, env.lastError.indexOf("First restorable point after it"));
            assertThat(refusal).contains("ALTER TABLE at commit_lsn ");
            assertThat(env.restoreTo(ACCT.qualified() + "=r1.acct", "--to-lsn", rewritten.lsn().toString()))
                    .as(env.lastOutput).isEqualTo(3);
            assertThat(env.lastError).startsWith(refusal).contains("First restorable point after it");
            try (Connection tgt = env.target()) {
                assertThat(one(tgt, "SELECT count(*) FROM pg_namespace WHERE nspname IN ('r0', 'r1')")).isEqualTo("0");
            }
            // the archiver's scheduler dumps the table on seeing the rewrite
            await().atMost(Duration.ofSeconds(90)).until(() -> new io.pgkb.store.catalog.ArchiveCatalog(env.store,
                    new io.pgkb.schemas.ArchiveLayout(env.prefix)).dumps(ACCT).size() >= 2);
            assertThat(env.restoreTo(ACCT.qualified() + "=r1.acct", "--to-lsn", rewritten.lsn().toString())).isEqualTo(3);
            assertThat(env.lastError).doesNotContain("none yet");
            String rewriteLsn = after(env.lastError, "ALTER TABLE at commit_lsn ");
            String nextDump = after(env.lastError, "First restorable point after it: ");
            sql(src, "INSERT INTO acct (id, qty) VALUES (52, 2)");
            Checkpoint afterDump = checkpoint(src, "after the next dump", 0);
            env.awaitRestorable(ACCT.qualified(), "--to-lsn", afterDump.lsn().toString());
            assertThat(env.restoreTo(ACCT.qualified() + "=r2.acct", "--to-lsn", afterDump.lsn().toString())).as(env.lastError).isZero();
            try (Connection tgt = env.target()) {
                assertThat(md5(tgt, new TableId("r2", "acct"))).isEqualTo(afterDump.md5());
            }

            // dropped and re-created (what the swap of a restore --replace into this database does): a point after the
            // drop is another table the stream did not carry whole, refused (exit 3) naming the drop, never a mix
            sql(src, "DROP TABLE acct", "CREATE TABLE acct (id int PRIMARY KEY, qty bigint NOT NULL, c varchar(20))");
            Lsn afterDrop = ChainEnv.walLsn(src);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() ->
                    env.restoreTo(ACCT.qualified() + "=d1.acct", "--to-lsn", afterDrop.toString(), "--dry-run") == 3
                            && env.lastError.contains("DROP TABLE at commit_lsn "));
            assertThat(env.lastError).contains("dropped it").contains("First restorable point after it: ").doesNotContain("\n");

            // list shows the points restore refuses (the plan's rule): the rewrite's until its dump, the drop's on
            String dropLsn = after(env.lastError, "DROP TABLE at commit_lsn ");
            assertThat(env.list("--store", env.storeDir.toString(), "--topic-prefix", env.prefix, "--json")).as(env.lastError).isZero();
            JsonNode range = new ObjectMapper().readTree(env.lastOutput).get("tables").get(0).get("restorable");
            JsonNode refused = range.get("refused");
            assertThat(refused.get(0).get("from_lsn").asText()).isEqualTo(rewriteLsn);
            assertThat(refused.get(0).get("until_lsn").asText()).isEqualTo(nextDump);
            assertThat(refused.get(0).get("why").asText()).isEqualTo("rewrite");
            assertThat(refused.get(1).get("from_lsn").asText()).isEqualTo(dropLsn);
            assertThat(refused.get(1).get("command_tag").asText()).isEqualTo("DROP TABLE");
            assertThat(refused.get(1).get("why").asText()).isEqualTo("dropped");
            assertThat(range.get("ranges").get(0).get("before_lsn").asText()).isEqualTo(rewriteLsn);
            assertThat(range.get("ranges").get(1).get("from_lsn").asText()).isEqualTo(nextDump);
            assertThat(range.get("ranges").get(1).get("before_lsn").asText()).isEqualTo(dropLsn);
            assertThat(env.list("--store", env.storeDir.toString(), "--topic-prefix", env.prefix)).isZero();
            assertThat(env.lastOutput).contains("not restorable from " + rewriteLsn + " (ALTER TABLE rewrote the table) until the dump at "
                    + nextDump, "not restorable from " + dropLsn + " (DROP TABLE dropped the table) until ");
        }
    }

    @Test
    void withoutCaptureThePlanAndListSayItWasOff() throws Exception {
        try (ChainEnv env = new ChainEnv(); Connection src = env.source()) {
            sql(src, "CREATE TABLE acct (id int PRIMARY KEY, qty int NOT NULL)", "INSERT INTO acct VALUES (1, 1)");
            env.startProducer(1, DdlCaptureMode.OFF);
            env.startArchiver(20);
            env.dump(ACCT);
            sql(src, "ALTER TABLE acct ADD COLUMN c text DEFAULT 'x'", "INSERT INTO acct VALUES (2, 2, 'y')");
            Checkpoint c = checkpoint(src, "off", 0);
            env.awaitRestorable(ACCT.qualified(), "--to-lsn", c.lsn().toString());
            assertThat(env.restoreTo(ACCT.qualified() + "=off.acct", "--to-lsn", c.lsn().toString())).as(env.lastError).isZero();
            assertThat(env.lastOutput).contains("DDL capture was off for part of");
            assertThat(env.list("--store", env.storeDir.toString(), "--topic-prefix", env.prefix)).isZero();
            assertThat(env.lastOutput).contains("DDL capture: off for part of the range");
        }
    }

    /** The word after {@code prefix} in a refusal (an LSN). */
    private static String after(String text, String prefix) {
        int at = text.indexOf(prefix);
        assertThat(at).as(text).isNotNegative();
        return text.substring(at + prefix.length()).split("[ ;]", 2)[0];
    }

    private static Checkpoint checkpoint(Connection src, String what, int ddl) throws SQLException {
        return new Checkpoint(what, ChainEnv.walLsn(src), md5(src, ACCT), columns(src, ACCT),
                DefinitionReader.read(src, ACCT).canonical(), ddl);
    }

    /** The table's columns with their types, in order. */
    static String columns(Connection c, TableId t) throws SQLException {
        return one(c, "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) FROM pg_attribute "
                + "WHERE attrelid = to_regclass('" + t.quoted() + "') AND attnum > 0 AND NOT attisdropped");
    }
}
