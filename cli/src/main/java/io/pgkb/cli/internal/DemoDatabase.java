package io.pgkb.cli.internal;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The quickstart's demo schema {@code shop} and its workload: money moves between accounts, orders are placed and
 * some are cancelled, a few accounts open, all in small transactions, as fast as one connection goes (paced to
 * leave the machine some air).
 */
public final class DemoDatabase {
    public static final String SCHEMA = "shop";
    public static final String[] TABLES = {"shop.accounts", "shop.orders"};
    private static final int INITIAL_ACCOUNTS = 1000;

    private final String jdbcUrl;
    private final Properties props;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong transactions = new AtomicLong();
    private volatile Throwable workloadFailure;
    private Thread workload;

    public DemoDatabase(String jdbcUrl, Properties props) {
        this.jdbcUrl = jdbcUrl;
        this.props = props;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, props);
    }

    public void create() throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + SCHEMA);
            st.execute("CREATE TABLE shop.accounts (id bigint PRIMARY KEY, owner text NOT NULL, balance numeric(12,2) NOT NULL,"
                    + " opened date NOT NULL DEFAULT current_date, updated_at timestamptz NOT NULL DEFAULT now())");
            st.execute("CREATE TABLE shop.orders (id bigserial PRIMARY KEY, account_id bigint NOT NULL, amount numeric(12,2) NOT NULL,"
                    + " note text, tags jsonb, created_at timestamptz NOT NULL DEFAULT now())");
            st.execute("INSERT INTO shop.accounts (id, owner, balance) SELECT g, 'owner ' || g, 1000 FROM generate_series(1, "
                    + INITIAL_ACCOUNTS + ") g");
        }
    }

    public void startWorkload() {
        running.set(true);
        workload = new Thread(this::runWorkload, "pgkb-quickstart-workload");
        workload.setDaemon(true);
        workload.start();
    }

    /** Stops the workload and returns the number of committed transactions. */
    public long stopWorkload() throws InterruptedException {
        running.set(false);
        if (workload != null) {
            workload.join(30_000);
        }
        if (workloadFailure != null) {
            throw new IllegalStateException("demo workload failed: " + workloadFailure.getMessage(), workloadFailure);
        }
        return transactions.get();
    }

    public long transactions() {
        return transactions.get();
    }

    private void runWorkload() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        try (Connection c = connect();
             PreparedStatement debit = c.prepareStatement("UPDATE shop.accounts SET balance = balance - ?, updated_at = now() WHERE id = ?");
             PreparedStatement credit = c.prepareStatement("UPDATE shop.accounts SET balance = balance + ?, updated_at = now() WHERE id = ?");
             PreparedStatement order = c.prepareStatement("INSERT INTO shop.orders (account_id, amount, note, tags) VALUES (?, ?, ?, ?::jsonb)");
             PreparedStatement cancel = c.prepareStatement("DELETE FROM shop.orders WHERE id = (SELECT min(id) FROM shop.orders)");
             PreparedStatement open = c.prepareStatement("INSERT INTO shop.accounts (id, owner, balance) VALUES (?, ?, 0) ON CONFLICT DO NOTHING")) {
            c.setAutoCommit(false);
            long nextAccount = INITIAL_ACCOUNTS + 1;
            while (running.get()) {
                int kind = rnd.nextInt(100);
                if (kind < 60) {
                    long from = 1 + rnd.nextInt(INITIAL_ACCOUNTS);
                    long to = 1 + rnd.nextInt(INITIAL_ACCOUNTS);
                    BigDecimal amount = BigDecimal.valueOf(rnd.nextInt(1, 10_000), 2);
                    debit.setBigDecimal(1, amount);
                    debit.setLong(2, Math.min(from, to));
                    debit.executeUpdate();
                    credit.setBigDecimal(1, amount);
                    credit.setLong(2, Math.max(from, to));
                    credit.executeUpdate();
                } else if (kind < 90) {
                    order.setLong(1, 1 + rnd.nextInt(INITIAL_ACCOUNTS));
                    order.setBigDecimal(2, BigDecimal.valueOf(rnd.nextInt(1, 100_000), 2));
                    order.setString(3, rnd.nextBoolean() ? null : "gift wrap, \"fragile\" ✓");
                    order.setString(4, "{\"channel\": \"" + (rnd.nextBoolean() ? "web" : "shop") + "\", \"n\": " + rnd.nextInt(10) + "}");
                    order.executeUpdate();
                } else if (kind < 97) {
                    cancel.executeUpdate();
                } else {
                    open.setLong(1, nextAccount);
                    open.setString(2, "owner " + nextAccount++);
                    open.executeUpdate();
                }
                c.commit();
                transactions.incrementAndGet();
                if (transactions.get() % 20 == 0) {
                    Thread.sleep(5); // pacing, so the demo leaves CPU to the producer and archiver on small machines
                }
            }
        } catch (SQLException | RuntimeException e) {
            workloadFailure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** md5 of a table's rows in key order and their count, as seen by one snapshot. */
    public record Fingerprint(long rows, String md5) {
    }

    public static Fingerprint fingerprint(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY id), '')) FROM " + table + " t")) {
            rs.next();
            return new Fingerprint(rs.getLong(1), rs.getString(2));
        }
    }

    /**
     * Makes a named mark and returns the tables' fingerprints exactly at it: a SHARE lock keeps writers out while
     * the fingerprints are read and the mark is emitted in the same transaction, so the restore point (the commit
     * of this transaction) holds precisely the rows fingerprinted.
     */
    public Fingerprint[] markAndFingerprint(String mark) throws SQLException {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("LOCK TABLE " + String.join(", ", TABLES) + " IN SHARE MODE");
            }
            Fingerprint[] out = new Fingerprint[TABLES.length];
            for (int i = 0; i < TABLES.length; i++) {
                out[i] = fingerprint(c, TABLES[i]);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_logical_emit_message(true, 'pgkb.mark', ?)")) {
                ps.setString(1, mark);
                ps.execute();
            }
            c.commit();
            return out;
        }
    }
}
