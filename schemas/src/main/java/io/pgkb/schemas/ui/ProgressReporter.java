package io.pgkb.schemas.ui;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Progress of a long step (dump, restore load/apply) on stderr: a bar with rate and ETA redrawn in place when
 * stderr is a terminal, a plain line every few seconds otherwise (logs, CI), so neither floods nor stays silent.
 *
 * <pre>
 * ProgressReporter p = ProgressReporter.create("dump public.accounts");
 * p.start(rowEstimate, "rows");   // -1 when the total is unknown
 * p.advance(n);                   // from any thread
 * p.done();
 * </pre>
 *
 * The unit {@code bytes} is shown as KiB/MiB/GiB. Output never goes to stdout: that is the command's output.
 */
public final class ProgressReporter {
    private static final int BAR_WIDTH = 30;
    private static final long TERMINAL_REDRAW_NANOS = Duration.ofMillis(200).toNanos();

    private final String label;
    private final PrintStream out;
    private final boolean terminal;
    private final long plainIntervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong count = new AtomicLong();

    private volatile long total = -1;
    private volatile String unit = "items";
    private long startNanos;
    private long lastRenderNanos;
    private boolean started;
    private boolean finished;
    private int lastWidth;

    ProgressReporter(String label, PrintStream out, boolean terminal, Duration plainInterval, LongSupplier nanoClock) {
        this.label = label;
        this.out = out;
        this.terminal = terminal;
        this.plainIntervalNanos = plainInterval.toNanos();
        this.nanoClock = nanoClock;
    }

    /** A bar when stderr is a terminal ({@code System.console() != null}), a line every 10 s otherwise. */
    public static ProgressReporter create(String label) {
        return new ProgressReporter(label, System.err, System.console() != null, Duration.ofSeconds(10), System::nanoTime);
    }

    /** Plain lines every {@code interval} on {@code out}, whatever the terminal (tests, log files). */
    public static ProgressReporter plain(String label, PrintStream out, Duration interval) {
        return new ProgressReporter(label, out, false, interval, System::nanoTime);
    }

    /** Begins the step; {@code total} is -1 when unknown (then no percentage and no ETA are shown). */
    public synchronized void start(long total, String unit) {
        this.total = total;
        this.unit = unit;
        this.startNanos = nanoClock.getAsLong();
        this.lastRenderNanos = startNanos;
        this.started = true;
        this.finished = false;
        count.set(0);
        if (!terminal) {
            out.println(label + ": started" + (total >= 0 ? ", " + amount(total) + " to go" : ""));
        }
    }

    /** Counts {@code n} more units done; cheap enough to call per row. */
    public void advance(long n) {
        count.addAndGet(n);
        long now = nanoClock.getAsLong();
        long interval = terminal ? TERMINAL_REDRAW_NANOS : plainIntervalNanos;
        if (now - lastRenderNanos >= interval) {
            render(now, false);
        }
    }

    /** Ends the step with a summary line (amount, time, rate). */
    public synchronized void done() {
        if (finished) {
            return;
        }
        render(nanoClock.getAsLong(), true);
        finished = true;
    }

    public long count() {
        return count.get();
    }

    private synchronized void render(long now, boolean last) {
        if (!started || finished || (!last && now - lastRenderNanos < (terminal ? TERMINAL_REDRAW_NANOS : plainIntervalNanos))) {
            return;
        }
        lastRenderNanos = now;
        long done = count.get();
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        double rate = done / seconds;
        String line;
        if (last) {
            line = label + ": done " + amount(done) + " in " + duration(seconds) + " (" + rate(rate) + ")";
        } else {
            StringBuilder sb = new StringBuilder(label).append(": ");
            long t = total;
            if (terminal && t > 0) {
                int filled = (int) Math.min(BAR_WIDTH, BAR_WIDTH * done / t);
                sb.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ");
            }
            sb.append(t > 0 && !"bytes".equals(unit) ? Long.toString(done) : amount(done));
            if (t > 0) {
                sb.append(" of ").append(amount(t)).append(String.format(Locale.ROOT, " (%.0f%%)", Math.min(100.0, 100.0 * done / t)));
            }
            sb.append(", ").append(rate(rate));
            if (t > 0 && rate > 0 && done < t) {
                sb.append(", ETA ").append(duration((t - done) / rate));
            }
            line = sb.toString();
        }
        if (terminal) {
            // redraw in place; pad to wipe a longer previous line
            String padded = line.length() < lastWidth ? line + " ".repeat(lastWidth - line.length()) : line;
            lastWidth = line.length();
            out.print("\r" + padded + (last ? System.lineSeparator() : ""));
            out.flush();
        } else {
            out.println(line);
        }
    }

    private String amount(long n) {
        return "bytes".equals(unit) ? bytes(n) : n + " " + unit;
    }

    private String rate(double perSecond) {
        return "bytes".equals(unit) ? bytes((long) perSecond) + "/s" : String.format(Locale.ROOT, "%.0f %s/s", perSecond, unit);
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (seconds < 10) {
            return String.format(Locale.ROOT, "%.1fs", seconds);
        }
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
