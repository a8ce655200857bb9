package io.pgkb.schemas.ddl;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@link TableDefinition#canonical()}: the definition as sorted lines with the table's own schema and name replaced by
 * {@code <s>} and {@code <t>}, wherever they name this table or something that moves with it when it is restored
 * elsewhere: the table in deparsed definitions, its owned sequences, object names starting with the table's name
 * (PostgreSQL's default names: {@code t_pkey}, {@code t_id_seq}), and foreign keys to tables of the same schema
 * (restored alongside it). Other schemas (functions, types, tables elsewhere) are kept: they do not move.
 */
final class CanonicalText {
    private static final Pattern CREATE_INDEX = Pattern.compile("^CREATE (UNIQUE )?INDEX (?:\"(?:[^\"]|\"\")*\"|\\S+) ");
    private static final Pattern CREATE_TRIGGER = Pattern.compile("^CREATE (CONSTRAINT )?TRIGGER (?:\"(?:[^\"]|\"\")*\"|\\S+) ");

    private final TableDefinition d;

    private CanonicalText(TableDefinition d) {
        this.d = d;
    }

    static String of(TableDefinition d) {
        return new CanonicalText(d).render();
    }

    private String render() {
        List<String> head = new ArrayList<>();
        head.add("table relkind=" + v(d.relkind()) + " persistence=" + v(d.persistence()) + " owner=" + v(d.owner())
                + " tablespace=" + v(d.tablespace()) + " options=" + d.options());
        head.add("replica_identity " + v(d.replicaIdentity()) + " index=" + v(name(d.replicaIdentityIndex())));
        head.add("rls enabled=" + d.rlsEnabled() + " forced=" + d.rlsForced());
        head.add("comment " + v(d.comment()));
        head.addAll(grants("grant", d.acl()));
        for (TableDefinition.Column c : d.columns()) {
            head.add("column " + c.name() + " " + c.type() + " collation=" + v(c.collation()) + " not_null=" + c.notNull()
                    + " default=" + v(expr(c.defaultExpr())) + " identity=" + v(c.identity()) + " generated="
                    + v(c.generatedKind()) + ":" + v(expr(c.generated())) + " comment=" + v(c.comment()));
            if (c.acl() != null) {
                head.addAll(grants("column_grant " + c.name(), c.acl()));
            }
        }
        List<String> rest = new ArrayList<>();
        for (TableDefinition.Constraint k : d.constraints()) {
            rest.add("constraint " + name(k.name()) + " " + k.type() + " " + expr(fk(k)) + " validated=" + k.validated()
                    + " index=" + v(name(k.index())) + " comment=" + v(k.comment()));
        }
        for (TableDefinition.Index i : d.indexes()) {
            rest.add("index " + name(i.name()) + " " + expr(CREATE_INDEX.matcher(i.definition()).replaceFirst("CREATE $1INDEX "))
                    + " valid=" + i.valid() + " clustered=" + i.clustered() + " tablespace=" + v(i.tablespace())
                    + " comment=" + v(i.comment()));
        }
        for (TableDefinition.Sequence s : d.sequences()) {
            rest.add("sequence " + name(s.name()) + " column=" + s.column() + " " + s.kind() + " " + s.type() + " start="
                    + s.start() + " increment=" + s.increment() + " min=" + s.min() + " max=" + s.max() + " cache="
                    + s.cache() + " cycle=" + s.cycle() + " same_schema=" + s.schema().equals(d.schema()));
        }
        for (TableDefinition.Policy p : d.policies()) {
            rest.add("policy " + name(p.name()) + " permissive=" + p.permissive() + " command=" + p.command() + " roles="
                    + p.roles() + " using=" + v(expr(p.using())) + " with_check=" + v(expr(p.withCheck())));
        }
        for (TableDefinition.Trigger t : d.triggers()) {
            rest.add("trigger " + name(t.name()) + " "
                    + expr(CREATE_TRIGGER.matcher(t.definition()).replaceFirst("CREATE $1TRIGGER ")) + " enabled=" + t.enabled());
        }
        Collections.sort(rest);
        head.addAll(rest);
        return String.join("\n", head) + "\n";
    }

    private static List<String> grants(String prefix, List<TableDefinition.Grant> acl) {
        if (acl == null) {
            return List.of(prefix + " default");
        }
        List<String> out = new ArrayList<>();
        for (TableDefinition.Grant g : acl) {
            out.add(prefix + " " + g.grantee() + " " + g.privilege() + (g.grantable() ? " with grant option" : ""));
        }
        Collections.sort(out);
        return out;
    }

    /** A foreign key to a table of this table's schema names it as {@code <s>.table}. */
    private String fk(TableDefinition.Constraint k) {
        if (k.isForeignKey() && d.schema().equals(k.referencedSchema()) && k.referencedQualified() != null
                && !k.referencedTable().equals(d.table())) {
            return k.definition().replace(" REFERENCES " + k.referencedQualified() + "(",
                    " REFERENCES <s>." + k.referencedQualified().substring(d.schemaIdent().length() + 1) + "(");
        }
        return k.definition();
    }

    /** An object named after the table keeps only what follows the table's name. */
    private String name(String n) {
        if (n == null) {
            return null;
        }
        if (n.equals(d.table()) || n.startsWith(d.table() + "_")) {
            return "<t>" + n.substring(d.table().length());
        }
        return n;
    }

    private String expr(String e) {
        if (e == null) {
            return null;
        }
        String out = e;
        for (TableDefinition.Sequence s : d.sequences()) {
            if (s.qualified() != null) {
                out = out.replace("'" + s.qualified() + "'", "'<s>." + name(s.name()) + "'");
            }
        }
        return Pattern.compile(Pattern.quote(d.qualified()) + "(?![\\w$])").matcher(out).replaceAll("<s>.<t>");
    }

    private static String v(Object o) {
        return o == null ? "-" : o.toString();
    }
}
