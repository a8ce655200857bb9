package io.pgkb.producer.internal;

import io.pgkb.producer.Producer;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.Messages;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import org.apache.avro.generic.GenericRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer's start-up checks of its slot: an existing slot is validated, a missing one created, a lost one is a
 * loud error unless {@code --recreate-slot} records a GAP; decides where the stream starts.
 */
public final class SlotStart {
    /** Under the producer's name, as before these checks had a class of their own: operators' log filters keep matching. */
    private static final Logger log = LoggerFactory.getLogger(Producer.class);
    private final Connection control;
    private final String slot;
    private final String progressTopic;
    private final boolean recreateSlot;

    public SlotStart(Connection control, String slot, String progressTopic, boolean recreateSlot) {
        this.control = control;
        this.slot = slot;
        this.progressTopic = progressTopic;
        this.recreateSlot = recreateSlot;
    }

    /**
     * Validates an existing slot, or creates one, and starts {@code tracker} (and {@code confirmer}) where the stream
     * will start. True when it created a slot where there was neither a slot nor any progress history (a first run).
     */
    public boolean prepare(Properties client, AckTracker tracker, SlotConfirmer confirmer, ProgressWriter progress) throws SQLException {
        Optional<SlotManager.SlotInfo> found = SlotManager.find(control, slot);
        if (found.isPresent()) {
            SlotManager.SlotInfo s = found.get();
            SlotManager.checkReusable(s, control.getCatalog());
            if (s.invalidated()) {
                String what = SlotManager.invalidated(s);
                if (!recreateSlot) {
                    throw SlotManager.lost(what);
                }
                log.error("{}; --recreate-slot: dropping it, recording a GAP and continuing", what);
                SlotManager.drop(control, slot);
                recreate(s.confirmedFlush(), tracker, progress);
                return false;
            }
            tracker.startFrom(s.confirmedFlush().asLong());
            confirmer.resumedAt(s.confirmedFlush().asLong());
            return false;
        }
        GenericRecord last = ProgressWriter.readLast(client, progressTopic);
        if (last == null) {
            Lsn start = SlotManager.create(control, slot);
            tracker.startFrom(start.asLong());
            log.info("created replication slot slot={} plugin=pgoutput consistent_point={}", slot, start);
            return true;
        }
        Lsn lastConfirmed = Lsn.of((Long) last.get("confirmed_lsn"));
        String what = "replication slot " + slot + " is missing but " + progressTopic
                + " has history (last confirmed " + lastConfirmed + "): changes since then may be lost";
        if (!recreateSlot) {
            throw SlotManager.lost(what);
        }
        log.error("{}; --recreate-slot: creating it and recording a GAP", what);
        recreate(lastConfirmed, tracker, progress);
        return false;
    }

    private void recreate(Lsn coveredUpTo, AckTracker tracker, ProgressWriter progress) throws SQLException {
        Lsn start = SlotManager.create(control, slot);
        progress.gap(coveredUpTo.asLong(), start.asLong());
        tracker.startFrom(start.asLong());
        log.warn("GAP recorded slot={} from_lsn={} to_lsn={}: restores across it are refused", slot, coveredUpTo, start);
    }

    /** Drops the slot {@link #prepare} created, after the rest of the setup failed (a new slot pins WAL until dropped). */
    public void dropNewSlot() {
        try {
            SlotManager.drop(control, slot);
            log.info("dropped replication slot slot={}: it was created by this run, whose setup failed", slot);
        } catch (SQLException e) {
            log.warn("could not drop replication slot slot={} created by this run: {}; drop it by hand (it holds WAL back)",
                    slot, Messages.firstLine(e.getMessage()));
        }
    }
}
