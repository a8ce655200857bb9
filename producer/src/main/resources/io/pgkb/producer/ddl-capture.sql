-- pgkb DDL capture, message format 2: run once per database as a superuser (managed services: their admin role).
-- One function in schema pgkb_ddl serves every pgkb producer of the database: it emits one transactional
-- logical message 'pgkb.ddl' per affected table that is in at least one publication, naming those publications;
-- each producer keeps the messages that name its own. Running this script again replaces the function in place.
CREATE SCHEMA IF NOT EXISTS pgkb_ddl;
REVOKE ALL ON SCHEMA pgkb_ddl FROM PUBLIC;
SELECT pg_advisory_xact_lock(hashtext('pgkb_ddl.capture'));

-- FOR TABLES IN SCHEMA publications exist from PostgreSQL 15 on: the function is built for the server it runs on
DO $install$
BEGIN
EXECUTE replace($function$
CREATE OR REPLACE FUNCTION pgkb_ddl.capture() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
-- catalog look-ups by oid must stay index scans however small a catalog was when a plan was cached: a plan with a
-- sequential scan of pg_class, pg_attrdef or pg_type grew with every dead row of a busy schema.
-- jit off: enable_seqscan = off adds 1e10 to the cost of any plan that still scans (pg_publication has no index
-- to use), far above jit_above_cost, and a server built with LLVM (most packages) then spent 0.3 s compiling each
-- of the trigger's queries: about 0.4 s per DDL on PostgreSQL 15 with jit = on
SET enable_seqscan = off SET jit = off AS $pgkb$
DECLARE
    rel oid;
    rels oid[];
    pubs text[];
    rewritten text;
    def json;
    gone record;
    extra oid[];
    top bigint;
    d bigint;
    mine bigint[];
    cand_r oid[];
    cand_d bigint[];
    th bigint;
BEGIN
    IF tg_event = 'table_rewrite' THEN
        -- reported by the ddl_command_end of the same statement; transaction-local
        rel := pg_event_trigger_table_rewrite_oid();
        SELECT CASE WHEN c.relispartition THEN pg_partition_root(c.oid) ELSE c.oid END INTO rel
          FROM pg_class c WHERE c.oid = rel;
        PERFORM set_config('pgkb_ddl.rewritten',
                           coalesce(current_setting('pgkb_ddl.rewritten', true), '') || rel || ',', true);
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_publication) THEN
        RETURN;
    END IF;
    IF tg_event = 'sql_drop' THEN
        -- a dropped table, named or by a cascade (DROP SCHEMA … CASCADE, DROP OWNED): the table's pg_publication_rel
        -- rows are gone by now: pubs is null and each producer decides by name
        FOR gone IN
            SELECT o.objid, o.schema_name, o.object_name FROM pg_event_trigger_dropped_objects() o
             WHERE o.classid = 'pg_class'::regclass AND o.object_type = 'table'
        LOOP
            PERFORM pg_logical_emit_message(true, 'pgkb.ddl', json_build_object(
                'v', 2, 'oid', gone.objid, 'schema', gone.schema_name, 'table', gone.object_name, 'tag', tg_tag,
                'rewrite', false, 'dropped', true, 'pubs', NULL, 'definition', NULL,
                'query', left(current_query(), 65536))::text);
        END LOOP;
        -- an index, trigger, policy, rule, constraint, default or column dropped from a table that stays changed that
        -- table's definition: remembered (transaction-local) for the ddl_command_end of the same statement, which
        -- reports each table once with whatever else the statement touched
        SELECT array_agg(DISTINCT u.t) INTO extra FROM (
            SELECT to_regclass(quote_ident(o.address_names[1]) || '.' || quote_ident(o.address_names[2]))::oid AS t
              FROM pg_event_trigger_dropped_objects() o
             WHERE o.object_type IN ('table column', 'table constraint', 'trigger', 'policy', 'rule', 'default value')
            UNION ALL
            -- a dropped index no longer names its table anywhere; DROP INDEX locks that table until the transaction
            -- ends (ACCESS EXCLUSIVE, CONCURRENTLY: SHARE UPDATE EXCLUSIVE), so the tables this session holds so are
            -- its candidates (another table locked so earlier in the transaction is reported too: a repeat, harmless)
            SELECT l.relation FROM pg_locks l
             WHERE EXISTS (SELECT 1 FROM pg_event_trigger_dropped_objects() o WHERE o.object_type = 'index')
               AND NOT EXISTS (SELECT 1 FROM pg_event_trigger_dropped_objects() o WHERE o.object_type = 'table')
               AND l.locktype = 'relation' AND l.pid = pg_backend_pid() AND l.granted
               AND l.mode IN ('AccessExclusiveLock', 'ShareUpdateExclusiveLock') AND l.relation >= 16384::oid
               AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())) u
         WHERE u.t IS NOT NULL;
        IF extra IS NOT NULL THEN
            PERFORM set_config('pgkb_ddl.touched',
                               coalesce(current_setting('pgkb_ddl.touched', true), '') || array_to_string(extra, ',') || ',', true);
        END IF;
        RETURN;
    END IF;
    IF coalesce(current_setting('pgkb_ddl.touched', true), '') <> '' THEN
        extra := string_to_array(trim(BOTH ',' FROM current_setting('pgkb_ddl.touched')), ',')::oid[];
        PERFORM set_config('pgkb_ddl.touched', '', true);
    END IF;
    IF tg_tag IN ('GRANT', 'REVOKE') AND EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() k WHERE k.object_type = 'TABLE') THEN
        -- GRANT and REVOKE name no object to event triggers: their tables are those whose pg_class row (table
        -- privileges) or pg_attribute row (column privileges) this transaction wrote, i.e. whose xmin is one of the
        -- transaction's own ids (top or subtransaction: at or after the top id, below the next id to be assigned, in
        -- progress; another transaction's in-progress row is never visible). Candidates are tried from the top id
        -- up; the first one past the next id (pg_xact_status refuses it) ends the search: it and all later ones are
        -- old frozen ids that only look recent modulo 2^32. One sequential scan of pg_class and pg_attribute, on
        -- GRANT/REVOKE only.
        top := pg_current_xact_id()::text::bigint;
        -- age(x) is a per-transaction stable id S minus x modulo 2^32 (S is the top id unless age() ran before it
        -- was assigned), so x minus the top id is age(top) - age(x): one pass, no text casts per row
        th := age(pg_current_xact_id()::xid);
        SELECT coalesce(array_agg(w.r), '{}'), coalesce(array_agg(th - age(w.x)), '{}') INTO cand_r, cand_d FROM (
            SELECT c.oid AS r, c.xmin AS x FROM pg_class c WHERE c.relkind IN ('r', 'p')
            UNION ALL
            SELECT a.attrelid, a.xmin FROM pg_attribute a WHERE a.attnum > 0) w
         WHERE age(w.x) <= th;
        mine := '{}';
        FOR d IN SELECT DISTINCT u.d FROM unnest(cand_d) u(d) ORDER BY 1 LOOP
            BEGIN
                IF pg_xact_status((top + d)::text::xid8) = 'in progress' THEN
                    mine := mine || d;
                END IF;
            EXCEPTION WHEN OTHERS THEN
                EXIT;
            END;
        END LOOP;
        extra := coalesce(extra, '{}') || array(SELECT u.r FROM unnest(cand_r, cand_d) u(r, d) WHERE u.d = ANY (mine));
    END IF;
    -- ddl_command_end: the tables behind every object the command touched, each once; every look-up is by oid
    -- (an index scan), so the cost does not grow with the number of tables in the database
    SELECT array_agg(DISTINCT u.t) INTO rels FROM (
        SELECT (SELECT CASE WHEN c.relispartition THEN pg_partition_root(c.oid) ELSE c.oid END
                  FROM pg_class c WHERE c.oid = m.o AND c.relkind IN ('r', 'p') AND c.relpersistence = 'p') AS t
          FROM (SELECT CASE
                         WHEN k.classid = 'pg_class'::regclass THEN
                           (SELECT CASE WHEN x.relkind IN ('i', 'I') THEN (SELECT i.indrelid FROM pg_index i WHERE i.indexrelid = x.oid)
                                        WHEN x.relkind = 'S' THEN (SELECT d.refobjid FROM pg_depend d
                                              WHERE d.classid = 'pg_class'::regclass AND d.objid = x.oid AND d.objsubid = 0
                                                AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') LIMIT 1)
                                        ELSE x.oid END FROM pg_class x WHERE x.oid = k.objid)
                         WHEN k.classid = 'pg_trigger'::regclass THEN (SELECT g.tgrelid FROM pg_trigger g WHERE g.oid = k.objid)
                         WHEN k.classid = 'pg_policy'::regclass THEN (SELECT p.polrelid FROM pg_policy p WHERE p.oid = k.objid)
                         WHEN k.classid = 'pg_constraint'::regclass THEN (SELECT n.conrelid FROM pg_constraint n WHERE n.oid = k.objid)
                         WHEN k.classid = 'pg_attrdef'::regclass THEN (SELECT a.adrelid FROM pg_attrdef a WHERE a.oid = k.objid)
                       END AS o
                  FROM pg_event_trigger_ddl_commands() k WHERE k.objid IS NOT NULL
                UNION ALL
                SELECT x FROM unnest(extra) x) m) u
     WHERE u.t IS NOT NULL;
    rewritten := coalesce(current_setting('pgkb_ddl.rewritten', true), '');
    PERFORM set_config('pgkb_ddl.rewritten', '', true);
    IF rels IS NULL THEN
        RETURN;
    END IF;
    FOREACH rel IN ARRAY rels LOOP
        SELECT array(SELECT p.pubname::text FROM pg_publication p
                      WHERE p.puballtables
                         OR EXISTS (SELECT 1 FROM pg_publication_rel r WHERE r.prpubid = p.oid AND r.prrelid = rel)
                         {{publication_namespace}}
                      ORDER BY 1) INTO pubs;
        CONTINUE WHEN cardinality(pubs) = 0;
        -- the columns (attnum, name, type, missing value) are the definition's: the producer takes them from it
        def := {{definition}};
        PERFORM pg_logical_emit_message(true, 'pgkb.ddl', json_build_object(
            'v', 2, 'oid', rel, 'schema', n.nspname, 'table', c.relname, 'tag', tg_tag,
            'rewrite', (',' || rewritten) LIKE '%,' || rel || ',%',
            'dropped', false, 'pubs', pubs, 'definition', def,
            'query', left(current_query(), 65536))::text)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = rel;
    END LOOP;
EXCEPTION WHEN OTHERS THEN
    -- never fail the user's DDL: say that capture missed it, or (if even that fails) nothing
    BEGIN
        PERFORM pg_logical_emit_message(true, 'pgkb.ddl', json_build_object('v', 2, 'error', SQLERRM, 'sqlstate', SQLSTATE,
                                                                            'tag', tg_tag)::text);
    EXCEPTION WHEN OTHERS THEN
        NULL;
    END;
END
$pgkb$
$function$, '{{publication_namespace}}', CASE WHEN current_setting('server_version_num')::int >= 150000
    THEN 'OR EXISTS (SELECT 1 FROM pg_publication_namespace s WHERE s.pnpubid = p.oid AND s.pnnspid = (SELECT c.relnamespace FROM pg_class c WHERE c.oid = rel))'
    ELSE '' END);
END
$install$;
COMMENT ON FUNCTION pgkb_ddl.capture() IS '{{version}}';
REVOKE ALL ON FUNCTION pgkb_ddl.capture() FROM PUBLIC;

DO $pgkb$
DECLARE
    ev text;
BEGIN
    FOREACH ev IN ARRAY ARRAY['ddl_command_end', 'table_rewrite', 'sql_drop'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'pgkb_ddl_' || ev) THEN
            EXECUTE format('CREATE EVENT TRIGGER %I ON %s EXECUTE FUNCTION pgkb_ddl.capture()', 'pgkb_ddl_' || ev, ev);
        END IF;
        -- ALWAYS: DDL run under session_replication_role = replica is captured too
        EXECUTE format('ALTER EVENT TRIGGER %I ENABLE ALWAYS', 'pgkb_ddl_' || ev);
    END LOOP;
END
$pgkb$;
