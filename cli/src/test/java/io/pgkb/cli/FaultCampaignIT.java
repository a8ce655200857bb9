package io.pgkb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.testkit.LocalKafka;
import io.pgkb.testkit.LocalPostgres;
import io.pgkb.testkit.faults.CampaignFigures;
import io.pgkb.testkit.faults.CampaignStore;
import io.pgkb.testkit.faults.Fault;
import io.pgkb.testkit.faults.FaultCampaign;
import io.pgkb.testkit.faults.FaultPlan;
import io.pgkb.testkit.junit.RealServices;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short fault campaign (issue 16 §1) in CI: the real jar's producer and two archivers under a mixed workload,
 * one kill -9 of each, a broker stop/start, a PostgreSQL immediate restart, the spool full (root only) and a dump at
 * random moments; every table of the three quiesced checkpoints restores md5-equal and verify exits 0. The seed is
 * printed; {@code -Dpgkb.faults.seed=N} repeats a campaign (the same faults in the same order at the same pauses).
 * The object store outage needs S3 (bench/faults.sh); here the archive is a directory.
 */
@RealServices
class FaultCampaignIT {
    @TempDir
    Path work;

    @Test
    void nothingIsLostAcrossTheFaults(LocalPostgres pg, LocalKafka kafka) throws Exception {
        long seed = Long.getLong("pgkb.faults.seed", ThreadLocalRandom.current().nextLong(1, 1_000_000));
        System.out.printf("FaultCampaignIT: seed %d (repeat with -Dpgkb.faults.seed=%d)%n", seed, seed);
        FaultPlan plan = FaultPlan.brief(seed).withoutObjectStore();
        CampaignFigures f = new FaultCampaign(plan, pg, kafka, CampaignStore.directory(work.resolve("store")), PgkbJar.JAR,
                work, args -> InProcess.run(args.toArray(String[]::new)).code()).run();
        System.out.printf("FaultCampaignIT (seed %d):%n%s", seed, f.table());
        assertThat(f.injected()).as("seed %d", seed).containsKeys(Fault.PRODUCER_KILL, Fault.ARCHIVER_KILL, Fault.BROKER_RESTART,
                Fault.PG_RESTART, Fault.DUMP);
        assertThat(f.rowsCompared()).as("seed %d", seed).isPositive();
        assertThat(f.rowsLost()).as("rows lost, seed %d", seed).isZero();
        assertThat(f.rowsExtra()).as("rows restored that the source lacks, seed %d", seed).isZero();
        assertThat(f.tablesDiffering()).as("tables whose md5 differs, seed %d", seed).isZero();
        assertThat(f.verifyExit()).as("verify exit code, seed %d", seed).isZero();
        assertThat(f.dumpExits()).as("dump exit codes, seed %d", seed).containsOnly(0);
    }
}
