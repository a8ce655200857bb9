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
-- sequential scan of pg_class, pg_attrdef or pg_type grew with every dead row of a busy schema
SET enable_seqscan = off AS $pgkb$
DECLARE
    rel oid;
    rels oid[];
    pubs text[];
    rewritten text;
    def json;
    gone record;
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
        -- only whole tables: a dropped column, index or constraint is reported by ddl_command_end or not at all
        -- the table's pg_publication_rel rows are gone by now: pubs is null and each producer decides by name
        FOR gone IN
            SELECT o.objid, o.schema_name, o.object_name FROM pg_event_trigger_dropped_objects() o
             WHERE o.original AND o.classid = 'pg_class'::regclass AND o.object_type = 'table'
        LOOP
            PERFORM pg_logical_emit_message(true, 'pgkb.ddl', json_build_object(
                'v', 2, 'oid', gone.objid, 'schema', gone.schema_name, 'table', gone.object_name, 'tag', tg_tag,
                'rewrite', false, 'dropped', true, 'pubs', NULL, 'definition', NULL,
                'query', left(current_query(), 65536))::text);
        END LOOP;
        RETURN;
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
                  FROM pg_event_trigger_ddl_commands() k WHERE k.objid IS NOT NULL) m) u
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
