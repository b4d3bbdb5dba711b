package io.cm.core.store;

import io.cm.core.ManualClock;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.core.store.SessionStore.Change;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class InMemorySessionStoreTest extends StoreContract {

    private final List<SubjectSessions> logged = new ArrayList<>();
    private CompletableFuture<Void> kept = CompletableFuture.completedFuture(null);

    @Override
    protected SessionStore open(ManualClock clock) {
        return new InMemorySessionStore((subject, previous, next) -> {
            logged.add(next);
            return kept;
        });
    }

    @Test
    void anUpdateCompletesOnlyOnceItsCommitIsKept() {
        kept = new CompletableFuture<>();
        CompletableFuture<Metered<String>> update = store.update(ALICE, Optional.empty(),
                current -> new Change<>(new SubjectSessions(List.of(session("s1", 100)), List.of()), "done"))
                .toCompletableFuture();

        assertThat(update).isNotDone();
        assertThat(logged).extracting(state -> state.active().size()).containsExactly(1);
        kept.complete(null);
        assertThat(update).isCompletedWithValue(new Metered.Done<>("done"));
    }

    @Test
    void aDecisionThatChangesNothingIsNotLoggedAndCompletesAtOnce() {
        add(ALICE, "s1", 100);
        logged.clear();

        assertThat(store.update(ALICE, Optional.empty(), current -> new Change<>(current, "same")))
                .isCompletedWithValue(new Metered.Done<>("same"));
        assertThat(logged).isEmpty();
    }

    @Test
    void aTouchIsNotLogged() {
        add(ALICE, "s1", 1_000);
        logged.clear();

        touchAt(500);

        assertThat(logged).isEmpty();
    }

    private void touchAt(long now) {
        assertThat(await(store.touch(ALICE, "s1", Spend.session("s1", new RequestLimit(10, 1_000), now), 2_000,
                VERSION))).isInstanceOf(Metered.Done.class);
    }

    @Test
    void aSubjectWithNoSessionsIsDroppedOnceItsInitBudgetsWindowIsOver() {
        InMemorySessionStore memory = (InMemorySessionStore) store;
        await(store.update(ALICE, Optional.of(Spend.init(new RequestLimit(5, 1_000), 100)),
                current -> new Change<>(current, null)));
        assertThat(memory.subjects()).isEqualTo(1);

        assertThat(takeDue(1_099, 10)).isEmpty();
        assertThat(takeDue(1_100, 10)).containsExactly(ALICE);
        assertThat(memory.subjects()).isZero();
    }

    @Test
    void forEachSubjectHandsOutEachSubjectsLatestCommittedState() {
        add(ALICE, "a1", 1_000);
        add(ALICE, "a2", 1_000);
        add(BOB, "b1", 1_000);
        update(BOB, current -> new Change<>(SubjectSessions.EMPTY, null));
        Map<SubjectKey, SubjectSessions> seen = new HashMap<>();

        ((InMemorySessionStore) store).forEachSubject(seen::put);

        assertThat(seen).containsOnlyKeys(ALICE);
        assertThat(seen.get(ALICE)).isEqualTo(read(ALICE));
    }
}
