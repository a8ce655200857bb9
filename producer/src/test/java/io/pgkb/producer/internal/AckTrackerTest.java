package io.pgkb.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AckTrackerTest {
    private final AckTracker t = new AckTracker();

    @Test
    void nothingIsConfirmableBeforeEveryRecordIsAcknowledged() {
        AckTracker.Pending a = t.begin(new Txn(1, 100, 1));
        t.sent(a);
        t.sent(a);
        t.committed(a, 110);
        assertThat(t.takeConfirmable()).as("sent is not acknowledged").isNull();
        t.acked(a, "p.public.t", 0, 5);
        assertThat(t.takeConfirmable()).isNull();
        t.acked(a, "p.public.t", 1, 7);
        AckTracker.Confirmable c = t.takeConfirmable();
        assertThat(c.confirmedLsn()).isEqualTo(110);
        assertThat(c.lastCommitLsn()).isEqualTo(100);
        assertThat(c.nextOffsets()).containsEntry(new AckTracker.PartitionKey("p.public.t", 0), 6L)
                .containsEntry(new AckTracker.PartitionKey("p.public.t", 1), 8L);
        assertThat(t.takeConfirmable()).as("reported once").isNull();
        assertThat(t.idle()).isTrue();
    }

    @Test
    void aLaterTransactionAcknowledgedFirstWaitsForTheEarlierOne() {
        AckTracker.Pending a = t.begin(new Txn(1, 100, 1));
        t.sent(a);
        t.committed(a, 110);
        AckTracker.Pending b = t.begin(new Txn(2, 200, 2));
        t.sent(b);
        t.committed(b, 210);
        t.acked(b, "x", 0, 9);
        assertThat(t.takeConfirmable()).isNull();
        t.acked(a, "x", 1, 3);
        AckTracker.Confirmable c = t.takeConfirmable();
        assertThat(c.confirmedLsn()).isEqualTo(210);
        assertThat(c.lastCommitLsn()).isEqualTo(200);
        assertThat(c.nextOffsets()).hasSize(2);
    }

    @Test
    void anOpenTransactionBlocksEvenWhenItsRecordsAreAcknowledged() {
        AckTracker.Pending a = t.begin(new Txn(1, 100, 1));
        t.sent(a);
        t.acked(a, "x", 0, 0);
        assertThat(t.takeConfirmable()).isNull();
        t.heartbeat(500);
        assertThat(t.takeConfirmable()).as("a heartbeat waits for the open transaction before it").isNull();
        t.committed(a, 120);
        assertThat(t.takeConfirmable().confirmedLsn()).isEqualTo(500);
    }

    @Test
    void emptyTransactionsConfirmAtCommitAndHeartbeatsAdvanceWhenIdle() {
        AckTracker.Pending a = t.begin(new Txn(1, 100, 1));
        t.committed(a, 130);
        assertThat(t.takeConfirmable().confirmedLsn()).isEqualTo(130);
        t.heartbeat(120);
        assertThat(t.confirmedEnd()).as("never backwards").isEqualTo(130);
        t.heartbeat(5000);
        AckTracker.Confirmable c = t.takeConfirmable();
        assertThat(c.confirmedLsn()).isEqualTo(5000);
        assertThat(c.lastCommitLsn()).isEqualTo(100);
        assertThat(c.nextOffsets()).isEmpty();
    }

    @Test
    void aFailedSendStopsConfirmationUntilReset() {
        AckTracker.Pending a = t.begin(new Txn(1, 100, 1));
        t.sent(a);
        t.sent(a);
        t.committed(a, 110);
        t.acked(a, "x", 0, 0);
        t.failed(a, new RuntimeException("timeout"));
        assertThat(t.takeConfirmable()).isNull();
        assertThat(t.failure()).hasMessage("timeout");
        t.heartbeat(999);
        assertThat(t.takeConfirmable()).isNull();
        t.resetInFlight();
        assertThat(t.failure()).isNull();
        assertThat(t.idle()).isTrue();
        assertThat(t.confirmedEnd()).isZero();
    }

    @Test
    void marksAreReleasedWithTheirTransaction() {
        AckTracker.Pending a = t.begin(new Txn(1, 100, 7));
        t.mark(a, "before-migration");
        t.sent(a);
        t.committed(a, 110);
        assertThat(t.takeConfirmable()).isNull();
        t.acked(a, "x", 0, 0);
        assertThat(t.takeConfirmable().marks()).containsExactly(new AckTracker.Mark("before-migration", 100, 7));
    }

    @Test
    void lsnsCompareUnsigned() {
        AckTracker.Pending a = t.begin(new Txn(1, 0x8000_0000_0000_0000L, 1));
        t.committed(a, 0x8000_0000_0000_0010L);
        assertThat(t.takeConfirmable().confirmedLsn()).isEqualTo(0x8000_0000_0000_0010L);
        t.heartbeat(0x10);
        assertThat(t.confirmedEnd()).isEqualTo(0x8000_0000_0000_0010L);
    }
}
