package io.pgkb.restorer;

import static io.pgkb.restorer.ChainEnv.md5;
import static io.pgkb.restorer.ChainEnv.one;
import static io.pgkb.restorer.ChainEnv.sql;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgkb.archiver.dump.DumpResult;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.ddl.DefinitionReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A restored table is the source's table, not only its rows (DESIGN §11): dump → changes → restore, then rows (md5)
 * and definition (canonical text, schema and name normalised) equal; the sequences go on past the restored rows;
 * --replace keeps the live table's grants and triggers and refuses when a view depends on it; a definition the target
 * cannot create is one line and exit 2 with nothing left behind.
 */
class DefinitionFidelityIT {
    private static final TableId ORDERS = new TableId("public", "orders");
    private static final TableId CUSTOMERS = new TableId("public", "customers");
    private static final String TOUCH = "CREATE OR REPLACE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS "
            + "$$BEGIN NEW.note := coalesce(NEW.note, 'touched'); RETURN NEW; END$$";

    @Test
    void restoredTableHasTheSourcesDefinitionAndReplaceKeepsTheLiveAccess() throws Exception {
        try (ChainEnv env = new ChainEnv(); Connection src = env.source(); Connection tgt = env.target()) {
            sql(src, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fid_reader') THEN CREATE ROLE fid_reader; END IF;"
                            + " IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fid_app') THEN CREATE ROLE fid_app; END IF; END $$",
                    TOUCH,
                    "CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL)",
                    "INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 20) g",
                    """
                    CREATE TABLE orders (
                      id bigserial PRIMARY KEY,
                      ident int GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 10),
                      name text COLLATE "C" NOT NULL DEFAULT 'unnamed',
                      qty int NOT NULL DEFAULT 1 CHECK (qty > 0),
                      code text UNIQUE,
                      customer_id int REFERENCES customers (id),
                      total int GENERATED ALWAYS AS (qty * 2) STORED,
                      note text,
                      created timestamptz DEFAULT now())""",
                    "CREATE INDEX orders_lower_name ON orders (lower(name))",
                    "CREATE INDEX orders_big ON orders (qty) WHERE qty > 10",
                    "COMMENT ON TABLE orders IS 'customer orders'",
                    "COMMENT ON COLUMN orders.qty IS 'how many'",
                    "GRANT SELECT ON orders TO fid_reader",
                    "CREATE TRIGGER orders_touch BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION public.touch()",
                    "ALTER TABLE orders ENABLE ROW LEVEL SECURITY",
                    "CREATE POLICY readers ON orders FOR SELECT TO fid_reader USING (qty > 0)",
                    "INSERT INTO orders (name, qty, code, customer_id) SELECT 'n' || g, g % 20 + 1, 'c' || g, g % 20 + 1 "
                            + "FROM generate_series(1, 200) g");
            env.startProducer(2);
            env.startArchiver(40);
            env.dump(ORDERS, CUSTOMERS);
            for (int i = 0; i < 10; i++) {
                sql(src, "INSERT INTO orders (qty, code, customer_id) VALUES (" + (i + 3) + ", 'after" + i + "', 2)",
                        "UPDATE orders SET qty = qty + 1 WHERE id % 9 = " + i,
                        "DELETE FROM orders WHERE id = " + (i * 7 + 1));
            }
            Lsn t = ChainEnv.walLsn(src);
            String orders = md5(src, ORDERS);
            String customers = md5(src, CUSTOMERS);
            String definition = DefinitionReader.read(src, ORDERS).canonical();
            sql(src, "INSERT INTO orders (qty, code, customer_id) VALUES (1, 'after T', 1)");
            env.awaitRestorable("public.orders,public.customers", "--to-lsn", t.toString());

            // the application's function exists in the target, as on the source
            sql(tgt, TOUCH);
            assertThat(env.restoreTo("public.orders=restored.orders,public.customers=restored.customers", "--to-lsn", t.toString()))
                    .as(env.lastError).isZero();
            TableId restored = new TableId("restored", "orders");
            assertThat(md5(tgt, restored)).isEqualTo(orders);
            assertThat(md5(tgt, new TableId("restored", "customers"))).isEqualTo(customers);
            assertThat(DefinitionReader.read(tgt, restored).canonical()).isEqualTo(definition);
            assertThat(env.lastOutput).doesNotContain("not restored");
            // the defaults work and the sequences go on past every restored row
            String maxId = one(tgt, "SELECT max(id) FROM restored.orders");
            String maxIdent = one(tgt, "SELECT max(ident) FROM restored.orders");
            sql(tgt, "INSERT INTO restored.orders (code, customer_id) VALUES ('new', 1)");
            assertThat(one(tgt, "SELECT id > " + maxId + " AND ident > " + maxIdent + " AND name = 'unnamed' AND note = 'touched' "
                    + "AND total = 2 FROM restored.orders WHERE code = 'new'")).isEqualTo("t");
            assertThat(one(tgt, "SELECT count(*) FROM pg_class WHERE relname LIKE 'pgkb_restore_%'")).isEqualTo("0");
            // the comparison is not blind: a missing index or default shows
            sql(tgt, "DROP INDEX restored.orders_big");
            assertThat(DefinitionReader.read(tgt, restored).canonical()).isNotEqualTo(definition);
            sql(tgt, "CREATE INDEX orders_big ON restored.orders (qty) WHERE qty > 10");
            assertThat(DefinitionReader.read(tgt, restored).canonical()).isEqualTo(definition);
            sql(tgt, "ALTER TABLE restored.orders ALTER COLUMN name DROP DEFAULT");
            assertThat(DefinitionReader.read(tgt, restored).canonical()).isNotEqualTo(definition);

            // --replace onto a live table with its own grant and trigger: the restored definition, the live access
            sql(tgt, "CREATE TABLE public.orders (id bigint PRIMARY KEY, note text)",
                    "GRANT INSERT ON public.orders TO fid_app",
                    "CREATE TRIGGER live_touch BEFORE INSERT ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch()",
                    "CREATE TABLE public.customers (id int PRIMARY KEY)",
                    "INSERT INTO public.customers SELECT generate_series(1, 20)");
            assertThat(env.restoreTo("public.orders", "--to-lsn", t.toString(), "--replace")).as(env.lastError).isZero();
            assertThat(md5(tgt, ORDERS)).isEqualTo(orders);
            assertThat(one(tgt, "SELECT has_table_privilege('fid_app', 'public.orders', 'INSERT')::text || "
                    + "has_table_privilege('fid_reader', 'public.orders', 'SELECT')::text")).isEqualTo("truefalse");
            assertThat(one(tgt, "SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'public.orders'::regclass "
                    + "AND NOT tgisinternal")).isEqualTo("live_touch");
            assertThat(one(tgt, "SELECT relrowsecurity FROM pg_class WHERE oid = 'public.orders'::regclass")).isEqualTo("f");
            // the foreign key points, under --replace, at the table it referenced before: the live customers
            assertThat(one(tgt, "SELECT confrelid::regclass::text FROM pg_constraint WHERE conname = 'orders_customer_id_fkey' "
                    + "AND conrelid = 'public.orders'::regclass"))
                    .isEqualTo("customers");
            assertThat(one(tgt, "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                    + "AND relname LIKE 'orders%'")).isEqualTo("orders,orders_big,orders_code_key,orders_id_seq,orders_ident_seq,"
                    + "orders_lower_name,orders_pkey");
            sql(tgt, "INSERT INTO public.orders (code, customer_id) VALUES ('new', 1)");

            // a view on the live table: refused, exit 2, naming it, nothing changed
            sql(tgt, "CREATE VIEW public.order_codes AS SELECT code FROM public.orders");
            String before = md5(tgt, ORDERS);
            assertThat(env.restoreTo("public.orders", "--to-lsn", t.toString(), "--replace")).isEqualTo(2);
            assertThat(env.lastError).contains("order_codes").contains("depend");
            assertThat(md5(tgt, ORDERS)).isEqualTo(before);
            assertThat(one(tgt, "SELECT count(*) FROM pg_class WHERE relname LIKE 'pgkb_restore_%'")).isEqualTo("0");
        }
    }

    @Test
    void aDefinitionTheTargetCannotCreateIsRefusedWithNothingLeftBehind() throws Exception {
        TableId tagged = new TableId("public", "tagged");
        TableId granted = new TableId("public", "granted");
        TableId plain = new TableId("public", "plain");
        try (ChainEnv env = new ChainEnv(); Connection src = env.source(); Connection tgt = env.target()) {
            sql(src, "CREATE EXTENSION IF NOT EXISTS hstore",
                    "CREATE TABLE tagged (id int PRIMARY KEY, tags hstore)",
                    "INSERT INTO tagged VALUES (1, 'a=>1')",
                    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fid_gone') THEN CREATE ROLE fid_gone; END IF; END $$",
                    "CREATE TABLE granted (id int PRIMARY KEY)",
                    "GRANT SELECT ON granted TO fid_gone",
                    "CREATE TABLE plain (id int PRIMARY KEY, v text DEFAULT 'd')",
                    "INSERT INTO plain SELECT g, 'v' || g FROM generate_series(1, 50) g");
            env.startProducer(1);
            env.startArchiver(40);
            DumpResult dump = env.dump(tagged, granted, plain);
            sql(src, "REVOKE ALL ON granted FROM fid_gone", "DROP ROLE fid_gone");
            Lsn t = ChainEnv.walLsn(src);
            String plainRows = md5(src, plain);
            env.awaitRestorable("public.tagged,public.granted,public.plain", "--to-lsn", t.toString());

            assertThat(env.restoreTo("public.tagged", "--to-lsn", t.toString())).isEqualTo(2);
            assertThat(env.lastError).contains("public.tagged").contains("hstore").contains("create it there first")
                    .doesNotContain("\n");
            assertNothingLeft(tgt, tagged);

            assertThat(env.restoreTo("public.granted", "--to-lsn", t.toString())).isEqualTo(2);
            assertThat(env.lastError).contains("public.granted").contains("\"fid_gone\"").contains("CREATE ROLE").doesNotContain("\n");
            assertNothingLeft(tgt, granted);

            ArchiveLayout layout = new ArchiveLayout(env.prefix);
            String manifestKey = layout.dumpManifest(plain, dump.consistentPoint());
            rewrite(env, manifestKey, m -> {
                ((ObjectNode) m.get("definition")).put("tablespace", "fid_nowhere");
                return m;
            });
            assertThat(env.restoreTo("public.plain", "--to-lsn", t.toString())).isEqualTo(2);
            assertThat(env.lastError).contains("public.plain").contains("fid_nowhere").doesNotContain("\n");
            assertNothingLeft(tgt, plain);

            // a dump from before definitions were recorded restores as it always did: rows, columns, primary key
            rewrite(env, manifestKey, m -> {
                m.remove("definition");
                return m;
            });
            assertThat(env.restoreTo("public.plain", "--to-lsn", t.toString())).as(env.lastError).isZero();
            assertThat(md5(tgt, plain)).isEqualTo(plainRows);
            assertThat(one(tgt, "SELECT count(*) FROM pg_attrdef WHERE adrelid = 'public.plain'::regclass")).isEqualTo("0");
            assertThat(one(tgt, "SELECT conname FROM pg_constraint WHERE conrelid = 'public.plain'::regclass")).isEqualTo("plain_pkey");
        }
    }

    private static void assertNothingLeft(Connection tgt, TableId table) throws Exception {
        assertThat(one(tgt, "SELECT to_regclass('" + table.quoted() + "') IS NULL")).isEqualTo("t");
        assertThat(one(tgt, "SELECT count(*) FROM pg_class WHERE relname LIKE 'pgkb_restore_%'")).isEqualTo("0");
    }

    private static void rewrite(ChainEnv env, String key, UnaryOperator<ObjectNode> change) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode m = (ObjectNode) json.readTree(env.store.get(key));
        env.store.put(key, json.writeValueAsString(change.apply(m)).getBytes(StandardCharsets.UTF_8));
    }
}
