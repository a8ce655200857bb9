package io.pgkb.testkit.faults;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The campaign's workload: concurrent sessions of inserts, updates, deletes and primary-key changes, a table whose
 * rows are TOASTed (updated without touching the TOASTed column), a table that is truncated once and a table created
 * mid-run. Sessions reconnect across PostgreSQL restarts; {@link #pause()} waits until none is inside a transaction,
 * so the caller sees a quiesced database until {@link #resume()}.
 */
final class MixedWorkload implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MixedWorkload.class);
    static final List<String> TABLES = List.of("public.orders", "public.accounts", "public.docs", "public.scratch");
    static final String LATE = "public.late";

    private final Supplier<Connection> connect;
    private final Duration txPause;
    private final List<Thread> sessions = new ArrayList<>();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final Object gate = new Object();
    private volatile boolean running = true;
    private volatile boolean lateCreated;
    private boolean paused;
    private int inside;

    MixedWorkload(Supplier<Connection> connect, Duration txPause) {
        this.connect = connect;
        this.txPause = txPause;
    }

    static void createTables(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE public.orders (id bigint PRIMARY KEY, customer int, amount numeric(12,2), note text, updated timestamptz)");
            st.execute("CREATE TABLE public.accounts (id bigint PRIMARY KEY, owner text, balance bigint)");
            st.execute("CREATE TABLE public.docs (id bigint PRIMARY KEY, title text, body text)");
            st.execute("CREATE TABLE public.scratch (id bigint PRIMARY KEY, v text)");
            st.execute("INSERT INTO public.accounts SELECT g, 'owner ' || g, 0 FROM generate_series(1, 200) g");
            st.execute("INSERT INTO public.orders SELECT g, g % 17, g * 1.5, 'seed', now() FROM generate_series(1, 500) g");
        }
    }

    void start(int count) {
        for (int s = 1; s <= count; s++) {
            int session = s;
            Thread t = new Thread(() -> session(session), "faults-workload-" + s);
            t.setDaemon(true);
            sessions.add(t);
            t.start();
        }
    }

    long transactions() {
        return transactions.get();
    }

    long failedTransactions() {
        return failures.get();
    }

    /** A table created while the storm runs; sessions write to it from now on. */
    void createLateTable() throws SQLException {
        try (Connection c = connect.get(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + LATE + " (id bigint PRIMARY KEY, v text)");
        }
        lateCreated = true;
    }

    boolean lateCreated() {
        return lateCreated;
    }

    void truncateScratch() throws SQLException {
        try (Connection c = connect.get(); Statement st = c.createStatement()) {
            st.execute("TRUNCATE public.scratch");
        }
    }

    /** Blocks new transactions and waits until none is open: the database is quiesced until {@link #resume()}. */
    void pause() throws InterruptedException {
        synchronized (gate) {
            paused = true;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (inside > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("workload sessions did not finish their transactions within 5 minutes");
                }
                gate.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
            }
        }
    }

    void resume() {
        synchronized (gate) {
            paused = false;
            gate.notifyAll();
        }
    }

    private boolean enter() throws InterruptedException {
        synchronized (gate) {
            while (paused && running) {
                gate.wait();
            }
            if (!running) {
                return false;
            }
            inside++;
            return true;
        }
    }

    private void leave() {
        synchronized (gate) {
            inside--;
            gate.notifyAll();
        }
    }

    private void session(int s) {
        long base = s * 1_000_000_000L;
        long n = 0;
        while (running) {
            try (Connection c = connect.get(); Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                while (running) {
                    if (!enter()) {
                        return;
                    }
                    try {
                        n++;
                        transaction(st, s, base, n);
                        c.commit();
                        transactions.incrementAndGet();
                    } finally {
                        leave();
                    }
                    TimeUnit.NANOSECONDS.sleep(txPause.toNanos());
                }
            } catch (InterruptedException e) {
                return;
            } catch (SQLException | RuntimeException e) {
                // PostgreSQL restarting: the open transaction is lost (or committed, the source is what we compare)
                failures.incrementAndGet();
                log.debug("workload session {} reconnects: {}", s, e.toString());
                pauseQuietly(200);
            }
        }
    }

    /** One transaction of the mix; which statements it runs depends on the session and the counter. */
    private void transaction(Statement st, int s, long base, long n) throws SQLException {
        long id = base + n;
        st.execute("INSERT INTO public.orders VALUES (" + id + ", " + (n % 17) + ", " + (n % 1000) + ".25, 'n" + n + "', now())");
        if (n > 10) {
            st.execute("UPDATE public.orders SET amount = amount + 1, note = note || '+', updated = now() WHERE id = " + (id - 10));
        }
        if (n > 30 && n % 3 == 0) {
            st.execute("DELETE FROM public.orders WHERE id = " + (id - 30));
        }
        switch ((int) ((n + s) % 5)) {
            case 0 -> st.execute("UPDATE public.accounts SET id = id + 1000000 WHERE id = (SELECT min(id) FROM public.accounts"
                    + " WHERE id % 3 = " + (s % 3) + ")"); // a primary-key change: DELETE + INSERT in the stream
            case 1 -> st.execute("UPDATE public.accounts SET balance = balance + " + n + " WHERE id % 50 = " + (n % 50));
            case 2 -> {
                if (n % 4 == 2) {
                    st.execute("INSERT INTO public.docs SELECT " + id + ", 'doc " + n + "', string_agg(md5(random()::text), '')"
                            + " FROM generate_series(1, 150)"); // ~4.8 kB of hex that does not compress: TOASTed
                } else {
                    st.execute("UPDATE public.docs SET title = title || '.' WHERE id = (SELECT max(id) FROM public.docs)");
                }
            }
            case 3 -> st.execute("INSERT INTO public.scratch VALUES (" + id + ", 'v" + n + "')");
            default -> {
                if (lateCreated) {
                    st.execute("INSERT INTO " + LATE + " VALUES (" + id + ", 'late " + n + "')");
                    st.execute("UPDATE " + LATE + " SET v = v || '!' WHERE id = (SELECT min(id) FROM " + LATE + ")");
                }
            }
        }
    }

    private static void pauseQuietly(long ms) {
        try {
            Thread.sleep(ms); // reconnect pacing while PostgreSQL restarts
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        resume();
        for (Thread t : sessions) {
            t.interrupt();
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}
