package io.pgkb.producer.internal;

import io.pgkb.producer.ProducerSettings.MissingIdentity;
import io.pgkb.schemas.Messages;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the publication listing the tables to back up: every table of the database (outside system schemas) or
 * the configured list. A table without a usable replica identity is never added: UPDATE and DELETE on it would
 * start failing on the primary. It is reported by name with the fix, and skipped or fatal as configured.
 */
public final class PublicationManager {
    private static final Logger log = LoggerFactory.getLogger(PublicationManager.class);

    /** A candidate table and whether UPDATE/DELETE on it can still run once it is published. */
    record Candidate(TableId table, char replicaIdentity, boolean usableIdentity) {
    }

    private final String publication;
    private final List<TableId> configured;
    private final MissingIdentity onMissing;
    private final Set<TableId> reported = new HashSet<>();

    public PublicationManager(String publication, List<TableId> configured, MissingIdentity onMissing) {
        this.publication = publication;
        this.configured = List.copyOf(configured);
        this.onMissing = onMissing;
    }

    /**
     * What a sync does with the candidates: the tables of the publication (their topics are ensured: whoever published
     * them, an earlier run that failed before creating their topics, or an operator by hand), the candidates to add,
     * and those reported for a missing replica identity.
     */
    record Plan(List<TableId> published, List<TableId> toAdd, List<Candidate> missingIdentity) {
    }

    /**
     * {@code published}: the tables the publication lists now (for a table list; ignored for FOR ALL TABLES, which
     * streams every candidate and is never altered).
     */
    static Plan plan(boolean allTables, Collection<Candidate> candidates, Set<TableId> published) {
        List<TableId> toAdd = new ArrayList<>();
        List<Candidate> missing = new ArrayList<>();
        for (Candidate cand : candidates) {
            if (!cand.usableIdentity()) {
                missing.add(cand);
            } else if (!allTables && !published.contains(cand.table())) {
                toAdd.add(cand.table());
            }
        }
        List<TableId> streamed = allTables ? candidates.stream().map(Candidate::table).toList()
                : published.stream().sorted().toList();
        return new Plan(streamed, toAdd, missing);
    }

    /**
     * Creates the publication when missing and adds the tables it lacks; returns the tables added now.
     * {@code ensureTopics} runs for each table once this sync published it, then for the tables published before
     * (create their topics). Only then: the archiver dumps a table when its topic appears, and a dump is replayable
     * only if the table was published before it began.
     */
    public List<TableId> sync(Connection c, Consumer<List<TableId>> ensureTopics) throws SQLException {
        Boolean allTables = publicationAllTables(c);
        if (allTables == null) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE PUBLICATION " + TableId.quoteIdent(publication)
                        + " WITH (publish = 'insert, update, delete, truncate', publish_via_partition_root = true)");
            }
            log.info("created publication publication={}", publication);
        }
        Map<TableId, Candidate> candidates = candidates(c);
        boolean all = Boolean.TRUE.equals(allTables);
        Plan plan = plan(all, candidates.values(), all ? Set.of() : publishedTables(c));
        for (Candidate cand : plan.missingIdentity()) {
            reportMissingIdentity(cand);
        }
        List<TableId> added = new ArrayList<>();
        for (TableId t : plan.toAdd()) {
            try (Statement st = c.createStatement()) {
                st.execute("ALTER PUBLICATION " + TableId.quoteIdent(publication) + " ADD TABLE " + t.quoted());
            } catch (SQLException e) {
                if ("42710".equals(e.getSQLState())) {
                    continue; // added concurrently; its topic comes with the published tables at the next sync
                }
                if ("42P01".equals(e.getSQLState())) {
                    continue; // dropped meanwhile
                }
                throw new PgkbException.ConfigException("cannot add table " + t.qualified() + " to publication "
                        + publication + ": " + Messages.firstLine(e.getMessage())
                        + " (the producer's role must own the table, or create the publication as its owner)");
            }
            ensureTopics.accept(List.of(t));
            added.add(t);
            log.info("published table table={} publication={}", t.qualified(), publication);
        }
        if (!plan.published().isEmpty()) {
            // after the additions: a table whose topic Kafka refuses does not keep new tables out of the publication
            ensureTopics.accept(plan.published());
        }
        for (TableId t : configured) {
            if (!candidates.containsKey(t) && reported.add(t)) {
                log.warn("table from --tables does not exist (yet) table={}; it is published once it exists", t.qualified());
            }
        }
        return added;
    }

    /**
     * Refuses, without changing anything, what {@link #sync} would be refused: the producer runs this before it
     * creates its slot, so a refusal leaves no new slot pinning WAL behind.
     */
    public void checkCanSync(Connection c, String where) throws SQLException {
        Boolean allTables = publicationAllTables(c);
        Plan plan = plan(Boolean.TRUE.equals(allTables), candidates(c).values(), allTables == null ? Set.of() : publishedTables(c));
        if (onMissing == MissingIdentity.FAIL && !plan.missingIdentity().isEmpty()) {
            reportMissingIdentity(plan.missingIdentity().get(0));
        }
        List<TableId> toAdd = plan.toAdd();
        String me = ServerChecks.query(c, "SELECT current_user");
        if (allTables == null) {
            if (!Boolean.parseBoolean(ServerChecks.query(c, "SELECT has_database_privilege(current_database(), 'CREATE')::text"))) {
                String db = c.getCatalog();
                throw new PgkbException.ConfigException("role " + me + " cannot create publication " + publication + " on " + where
                        + ": it lacks CREATE on database " + db + "; GRANT CREATE ON DATABASE " + TableId.quoteIdent(db) + " TO "
                        + TableId.quoteIdent(me) + ", or create the publication for the tables as their owner");
            }
        } else if (!toAdd.isEmpty()) {
            String owner = ownerUnlessMine(c, "SELECT pubowner AS o FROM pg_publication WHERE pubname = ?", publication);
            if (owner != null) {
                throw new PgkbException.ConfigException("publication " + publication + " on " + where + " is owned by role " + owner
                        + ", not " + me + ", so the producer cannot add " + names(toAdd) + " to it: ALTER PUBLICATION "
                        + TableId.quoteIdent(publication) + " OWNER TO " + TableId.quoteIdent(me) + ", add the tables as " + owner
                        + ", or choose another --publication");
            }
        }
        for (TableId t : toAdd) {
            String owner = ownerUnlessMine(c, "SELECT relowner AS o FROM pg_class WHERE oid = to_regclass(?)", t.quoted());
            if (owner != null) {
                throw new PgkbException.ConfigException("cannot add table " + t.qualified() + " to publication " + publication
                        + " on " + where + ": the table is owned by role " + owner + ", not " + me
                        + " (the producer's role must own the table, or create the publication as its owner)");
            }
        }
    }

    /** The owner {@code ownerSql} selects (column o, one row for {@code arg}) when the current role lacks its privileges. */
    private static String ownerUnlessMine(Connection c, String ownerSql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_get_userbyid(o), pg_has_role(current_user, o, 'USAGE') FROM ("
                + ownerSql + ") owner")) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && !rs.getBoolean(2) ? rs.getString(1) : null;
            }
        }
    }

    private static String names(List<TableId> tables) {
        List<String> shown = tables.stream().limit(5).map(TableId::qualified).toList();
        return (tables.size() == 1 ? "table " : "tables ") + String.join(", ", shown)
                + (tables.size() > shown.size() ? " and " + (tables.size() - shown.size()) + " more" : "");
    }

    private void reportMissingIdentity(Candidate cand) {
        String fix = "table " + cand.table().qualified() + " has no usable replica identity ("
                + (cand.replicaIdentity() == 'n' ? "REPLICA IDENTITY NOTHING" : cand.replicaIdentity() == 'i'
                ? "its REPLICA IDENTITY index is gone" : "no primary key")
                + "), so it is not published (UPDATE/DELETE on it would fail on the primary): add a primary key or run "
                + "ALTER TABLE " + cand.table().quoted() + " REPLICA IDENTITY FULL";
        if (onMissing == MissingIdentity.FAIL) {
            throw new PgkbException.ConfigException(fix + " (or --on-missing-identity skip)");
        }
        if (reported.add(cand.table())) {
            log.warn("{}", fix);
        }
    }

    /** null: no such publication; TRUE: FOR ALL TABLES (left as it is); FALSE: a table list. */
    private Boolean publicationAllTables(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT puballtables FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }

    /** What the publication streams: its tables, and those of its schemas ({@code FOR TABLES IN SCHEMA}). */
    private Set<TableId> publishedTables(Connection c) throws SQLException {
        Set<TableId> out = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ?""")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TableId(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return out;
    }

    /**
     * Permanent tables that are not partitions (partitioned tables are published as their root), except a restore's
     * work tables ({@code pgkb_restore_<hex>}, when a table is restored into this database): they live only until the
     * restore renames them into place, and captured they would get topics of their own and stream every replayed row.
     */
    Map<TableId, Candidate> candidates(Connection c) throws SQLException {
        Map<TableId, Candidate> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT n.nspname, cl.relname, cl.relreplident,
                       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = cl.oid AND i.indisprimary),
                       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = cl.oid AND i.indisreplident)
                FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
                WHERE cl.relkind IN ('r', 'p') AND NOT cl.relispartition AND cl.relpersistence = 'p'
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
                  AND cl.relname NOT LIKE 'pgkb\\_restore\\_%'
                ORDER BY 1, 2""")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TableId t = new TableId(rs.getString(1), rs.getString(2));
                    if (!configured.isEmpty() && !configured.contains(t)) {
                        continue;
                    }
                    char ident = rs.getString(3).charAt(0);
                    boolean usable = switch (ident) {
                        case 'f' -> true;
                        case 'd' -> rs.getBoolean(4);
                        case 'i' -> rs.getBoolean(5);
                        default -> false;
                    };
                    out.put(t, new Candidate(t, ident, usable));
                }
            }
        }
        return out;
    }
}
