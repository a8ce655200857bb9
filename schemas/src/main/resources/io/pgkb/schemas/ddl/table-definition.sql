-- pgkb table definition, format_version 1 (docs/definitions.md). One json value for the relation whose oid is
-- :relid, NULL when there is none. Read-only catalog lookups only: it never writes and never raises for an existing
-- relation (a sequence's last value is read only with the privilege that reading it needs). Run it with
-- search_path = '' so that every name in expressions and definitions comes out schema-qualified. Every look-up is by
-- oid (index scans) and privileges are exploded only when set: the DDL capture trigger runs this in every DDL.
SELECT pg_catalog.json_build_object(
  'format_version', 1,
  'oid', c.oid::pg_catalog.int8,
  'schema', n.nspname,
  'table', c.relname,
  'schema_ident', pg_catalog.quote_ident(n.nspname),
  'table_ident', pg_catalog.quote_ident(c.relname),
  'relkind', c.relkind,
  'persistence', c.relpersistence,
  'owner', pg_catalog.pg_get_userbyid(c.relowner),
  'tablespace', (SELECT ts.spcname FROM pg_catalog.pg_tablespace ts WHERE ts.oid OPERATOR(pg_catalog.=) c.reltablespace),
  'options', c.reloptions,
  'replica_identity', c.relreplident,
  'replica_identity_index', (SELECT ri.relname FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ri ON ri.oid OPERATOR(pg_catalog.=) i.indexrelid
                             WHERE i.indrelid OPERATOR(pg_catalog.=) c.oid AND i.indisreplident),
  'rls_enabled', c.relrowsecurity,
  'rls_forced', c.relforcerowsecurity,
  'comment', (SELECT d.description FROM pg_catalog.pg_description d WHERE d.objoid OPERATOR(pg_catalog.=) c.oid
              AND d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid OPERATOR(pg_catalog.=) 0),
  'acl', CASE WHEN c.relacl IS NOT NULL THEN (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
            'grantee', CASE WHEN x.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(x.grantee) END,
            'privilege', x.privilege_type, 'grantable', x.is_grantable, 'grantor', pg_catalog.pg_get_userbyid(x.grantor))
            ORDER BY x.grantee, x.privilege_type)
          FROM pg_catalog.aclexplode(c.relacl) x) END,
  'columns', (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
      'name', a.attname,
      'attnum', a.attnum,
      'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
      'collation', (SELECT pg_catalog.quote_ident(cn.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(co.collname)
                    FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) co.collnamespace
                    WHERE co.oid OPERATOR(pg_catalog.=) a.attcollation AND a.attcollation OPERATOR(pg_catalog.<>)
                      (SELECT t.typcollation FROM pg_catalog.pg_type t WHERE t.oid OPERATOR(pg_catalog.=) a.atttypid)),
      'not_null', a.attnotnull,
      'default', CASE WHEN a.atthasdef AND a.attgenerated OPERATOR(pg_catalog.=) '' THEN
                   (SELECT pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) FROM pg_catalog.pg_attrdef ad
                     WHERE ad.adrelid OPERATOR(pg_catalog.=) a.attrelid AND ad.adnum OPERATOR(pg_catalog.=) a.attnum) END,
      'identity', NULLIF(a.attidentity, ''),
      'generated', CASE WHEN a.atthasdef AND a.attgenerated OPERATOR(pg_catalog.<>) '' THEN
                     (SELECT pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) FROM pg_catalog.pg_attrdef ad
                       WHERE ad.adrelid OPERATOR(pg_catalog.=) a.attrelid AND ad.adnum OPERATOR(pg_catalog.=) a.attnum) END,
      'generated_kind', NULLIF(a.attgenerated, ''),
      'has_missing', a.atthasmissing,
      'missing', CASE WHEN a.atthasmissing THEN a.attmissingval::pg_catalog.text END,
      'comment', (SELECT d.description FROM pg_catalog.pg_description d WHERE d.objoid OPERATOR(pg_catalog.=) c.oid
                  AND d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid OPERATOR(pg_catalog.=) a.attnum),
      'acl', CASE WHEN a.attacl IS NOT NULL THEN (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                'grantee', CASE WHEN x.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(x.grantee) END,
                'privilege', x.privilege_type, 'grantable', x.is_grantable, 'grantor', pg_catalog.pg_get_userbyid(x.grantor))
                ORDER BY x.grantee, x.privilege_type)
              FROM pg_catalog.aclexplode(a.attacl) x) END)
      ORDER BY a.attnum)
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped),
  'constraints', (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
      'name', k.conname,
      'type', k.contype,
      'definition', pg_catalog.pg_get_constraintdef(k.oid),
      'index', (SELECT ki.relname FROM pg_catalog.pg_class ki WHERE ki.oid OPERATOR(pg_catalog.=) k.conindid AND k.contype OPERATOR(pg_catalog.<>) 'f'),
      'validated', k.convalidated,
      'referenced_schema', rn.nspname,
      'referenced_table', rc.relname,
      'referenced_qualified', pg_catalog.quote_ident(rn.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(rc.relname),
      'comment', (SELECT d.description FROM pg_catalog.pg_description d WHERE d.objoid OPERATOR(pg_catalog.=) k.oid
                  AND d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_constraint'::pg_catalog.regclass AND d.objsubid OPERATOR(pg_catalog.=) 0))
      ORDER BY k.contype, k.conname)
    FROM pg_catalog.pg_constraint k
    LEFT JOIN pg_catalog.pg_class rc ON rc.oid OPERATOR(pg_catalog.=) k.confrelid
    LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid OPERATOR(pg_catalog.=) rc.relnamespace
    WHERE k.conrelid OPERATOR(pg_catalog.=) c.oid AND k.contype IN ('p', 'u', 'c', 'x', 'f')),
  'indexes', (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
      'name', xc.relname,
      'definition', pg_catalog.pg_get_indexdef(i.indexrelid),
      'valid', i.indisvalid,
      'clustered', i.indisclustered,
      'tablespace', (SELECT ts.spcname FROM pg_catalog.pg_tablespace ts WHERE ts.oid OPERATOR(pg_catalog.=) xc.reltablespace),
      'comment', (SELECT d.description FROM pg_catalog.pg_description d WHERE d.objoid OPERATOR(pg_catalog.=) i.indexrelid
                  AND d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid OPERATOR(pg_catalog.=) 0))
      ORDER BY xc.relname)
    FROM pg_catalog.pg_index i
    JOIN pg_catalog.pg_class xc ON xc.oid OPERATOR(pg_catalog.=) i.indexrelid
    WHERE i.indrelid OPERATOR(pg_catalog.=) c.oid
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid OPERATOR(pg_catalog.=) i.indexrelid
                      AND k.conrelid OPERATOR(pg_catalog.=) c.oid AND k.contype IN ('p', 'u', 'x'))),
  'sequences', (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
      'name', s.relname,
      'schema', sn.nspname,
      'qualified', pg_catalog.quote_ident(sn.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(s.relname),
      'column', a.attname,
      'kind', CASE WHEN d.deptype OPERATOR(pg_catalog.=) 'i' THEN 'identity' ELSE 'serial' END,
      'type', pg_catalog.format_type(ps.seqtypid, NULL),
      'start', ps.seqstart,
      'increment', ps.seqincrement,
      'min', ps.seqmin,
      'max', ps.seqmax,
      'cache', ps.seqcache,
      'cycle', ps.seqcycle,
      'last_value', CASE WHEN pg_catalog.has_sequence_privilege(s.oid, 'SELECT,USAGE')
                         THEN pg_catalog.pg_sequence_last_value(s.oid) END)
      ORDER BY a.attnum, s.relname)
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_class s ON s.oid OPERATOR(pg_catalog.=) d.objid AND s.relkind OPERATOR(pg_catalog.=) 'S'
    JOIN pg_catalog.pg_namespace sn ON sn.oid OPERATOR(pg_catalog.=) s.relnamespace
    JOIN pg_catalog.pg_sequence ps ON ps.seqrelid OPERATOR(pg_catalog.=) s.oid
    JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) d.refobjid AND a.attnum OPERATOR(pg_catalog.=) d.refobjsubid
    WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
      AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
      AND d.refobjid OPERATOR(pg_catalog.=) c.oid AND d.deptype IN ('a', 'i')),
  'policies', (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
      'name', p.polname,
      'permissive', p.polpermissive,
      'command', p.polcmd,
      'roles', (SELECT pg_catalog.json_agg(CASE WHEN r.oid OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(r.oid) END
                                           ORDER BY r.ord)
                FROM pg_catalog.unnest(p.polroles) WITH ORDINALITY AS r(oid, ord)),
      'using', pg_catalog.pg_get_expr(p.polqual, p.polrelid),
      'with_check', pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid))
      ORDER BY p.polname)
    FROM pg_catalog.pg_policy p WHERE p.polrelid OPERATOR(pg_catalog.=) c.oid),
  'triggers', (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
      'name', tg.tgname,
      'definition', pg_catalog.pg_get_triggerdef(tg.oid),
      'enabled', tg.tgenabled)
      ORDER BY tg.tgname)
    FROM pg_catalog.pg_trigger tg WHERE tg.tgrelid OPERATOR(pg_catalog.=) c.oid AND NOT tg.tgisinternal)
)
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
WHERE c.oid OPERATOR(pg_catalog.=) :relid
