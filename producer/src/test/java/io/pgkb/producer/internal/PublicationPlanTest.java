package io.pgkb.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.producer.internal.PublicationManager.Candidate;
import io.pgkb.producer.internal.PublicationManager.Plan;
import io.pgkb.schemas.TableId;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PublicationPlanTest {
    private static final TableId A = new TableId("public", "a");
    private static final TableId B = new TableId("public", "b");
    private static final TableId NOKEY = new TableId("public", "nokey");
    private static final TableId OTHER = new TableId("other", "byhand");
    private static final List<Candidate> CANDIDATES = List.of(
            new Candidate(A, 'd', true), new Candidate(B, 'f', true), new Candidate(NOKEY, 'd', false));

    /** A table an earlier run or an operator published gets its topic too, not only the tables this sync adds. */
    @Test
    void theTablesAlreadyPublishedAreEnsuredAndTheOthersAdded() {
        Plan plan = PublicationManager.plan(false, CANDIDATES, Set.of(B, OTHER));
        assertThat(plan.published()).containsExactly(OTHER, B);
        assertThat(plan.toAdd()).containsExactly(A);
        assertThat(plan.missingIdentity()).extracting(Candidate::table).containsExactly(NOKEY);
    }

    @Test
    void aNewPublicationHasNothingPublishedYet() {
        Plan plan = PublicationManager.plan(false, CANDIDATES, Set.of());
        assertThat(plan.published()).isEmpty();
        assertThat(plan.toAdd()).containsExactly(A, B);
    }

    /** FOR ALL TABLES streams every table, the one without identity included, and is never altered. */
    @Test
    void forAllTablesEveryCandidateIsStreamedAndNothingAdded() {
        Plan plan = PublicationManager.plan(true, CANDIDATES, Set.of());
        assertThat(plan.published()).containsExactly(A, B, NOKEY);
        assertThat(plan.toAdd()).isEmpty();
        assertThat(plan.missingIdentity()).extracting(Candidate::table).containsExactly(NOKEY);
    }
}
