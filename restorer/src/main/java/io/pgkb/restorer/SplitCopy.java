package io.pgkb.restorer;

import io.pgkb.restorer.internal.DumpMerge;
import io.pgkb.schemas.PgkbException;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * One stream of COPY rows spread over the COPYs of several connections into the same table. A server parses a
 * COPY on one core per connection, and that is the load's limit: the JVM's side of a merged load needs a third of
 * what the server's parsing does, so a single COPY leaves the target's other cores idle. Each {@link #write} must
 * hold whole rows ({@link DumpMerge} flushes at row ends); chunks go to the connections in turn, each written by a
 * thread of its own, so a connection whose server is busy does not hold up the others.
 *
 * <p>The first connection is the caller's, and its transaction stays open (the caller commits the rows with what
 * follows). The others are opened here and commit their rows when their COPY ends: the table is a work table no one
 * else sees, dropped whole if the restore fails. Rows land in a different physical order than one COPY's; a table
 * has no order.
 */
public final class SplitCopy implements DumpMerge.Sink, AutoCloseable {
    private static final byte[] END = new byte[0];
    private static final int CHUNK = 1 << 16;
    private final List<Lane> lanes = new ArrayList<>();
    private final List<Connection> opened = new ArrayList<>();
    private int next;
    private boolean finished;

    /** Opens a connection to the target, not in auto-commit. */
    public interface Connector {
        Connection connect() throws SQLException;
    }

    /**
     * @param first     the caller's connection, not in auto-commit
     * @param connector opens the other {@code connections - 1} connections (not in auto-commit)
     * @param sql       the {@code COPY … FROM STDIN} statement
     */
    public SplitCopy(Connection first, Connector connector, int connections, String sql) throws SQLException {
        try {
            for (int i = 0; i < connections; i++) {
                Connection c = first;
                if (i > 0) {
                    c = connector.connect();
                    opened.add(c);
                }
                lanes.add(new Lane(c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql), i));
            }
        } catch (SQLException | RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws SQLException {
        Lane lane = lanes.get(next);
        next = (next + 1) % lanes.size();
        failIfAnyFailed();
        lane.put(Arrays.copyOfRange(b, off, off + len));
    }

    /**
     * Writes {@code rows}, COPY text, to its end, cut at row ends (a COPY text row holds no raw newline): the plain
     * load of a dump nothing is merged into.
     */
    public void writeRows(InputStream rows) throws IOException, SQLException {
        byte[] buf = new byte[CHUNK];
        int len = 0;
        for (int n = rows.read(buf, len, buf.length - len); n >= 0; n = rows.read(buf, len, buf.length - len)) {
            len += n;
            if (len < buf.length) {
                continue;
            }
            int end = lastNewline(buf, len);
            if (end < 0) {
                buf = Arrays.copyOf(buf, buf.length * 2); // a row longer than the buffer
                continue;
            }
            write(buf, 0, end + 1);
            System.arraycopy(buf, end + 1, buf, 0, len - end - 1);
            len -= end + 1;
        }
        if (len > 0) {
            write(buf, 0, len);
        }
    }

    private static int lastNewline(byte[] b, int len) {
        for (int i = len - 1; i >= 0; i--) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Ends every COPY and commits the connections opened here; returns the rows the server took. */
    public long finish() throws SQLException {
        for (Lane l : lanes) {
            l.put(END);
        }
        long rows = 0;
        for (Lane l : lanes) {
            l.join();
            rows += l.rows;
        }
        failIfAnyFailed();
        for (Connection c : opened) {
            c.commit();
        }
        finished = true;
        return rows;
    }

    private void failIfAnyFailed() throws SQLException {
        for (Lane l : lanes) {
            Throwable t = l.failure;
            if (t instanceof SQLException e) {
                throw e;
            }
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t != null) {
                throw new PgkbException.FatalException("COPY of a merged load failed: " + t, t);
            }
        }
    }

    /** Cancels what is not finished and closes the connections opened here (rolling back their rows). */
    @Override
    public void close() {
        if (!finished) {
            for (Lane l : lanes) {
                l.abort = true;
                l.put(END);
            }
            for (Lane l : lanes) {
                l.join();
            }
        }
        for (Connection c : opened) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing rolls back; nothing else to do
            }
        }
    }

    /** One connection's COPY, written by its own thread from a short queue of chunks. */
    private static final class Lane implements Runnable {
        private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(4);
        private final CopyIn copy;
        private final Thread thread;
        private volatile Throwable failure;
        private volatile boolean abort;
        private long rows;

        Lane(CopyIn copy, int n) {
            this.copy = copy;
            this.thread = new Thread(this, "restore-copy-" + n);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            try {
                for (byte[] b = chunks.take(); b != END; b = chunks.take()) {
                    if (failure == null && !abort) {
                        try {
                            copy.writeToCopy(b, 0, b.length);
                        } catch (SQLException | RuntimeException e) {
                            failure = e; // keep taking chunks, so the writer never waits on a full queue
                        }
                    }
                }
                if (failure == null && !abort) {
                    rows = copy.endCopy();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (SQLException | RuntimeException e) {
                failure = e;
            } finally {
                if (copy.isActive()) {
                    try {
                        copy.cancelCopy();
                    } catch (SQLException ignored) {
                        // already failing: the first error is the one reported
                    }
                }
            }
        }

        void put(byte[] b) {
            try {
                chunks.put(b);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PgkbException.FatalException("restore interrupted");
            }
        }

        void join() {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PgkbException.FatalException("restore interrupted");
            }
        }
    }
}
