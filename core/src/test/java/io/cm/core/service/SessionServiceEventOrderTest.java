package io.cm.core.service;

import io.cm.core.event.EventLog;
import io.cm.core.event.SessionEvent;
import io.cm.core.event.SessionEventType;
import io.cm.core.session.Session;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import static io.cm.core.service.ServiceFixture.ALICE;
import static io.cm.core.service.ServiceFixture.BOB;
import static io.cm.core.service.ServiceFixture.DEMO;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spec §5: events are ordered per subject. A thread that has committed a transition but is slow to
 * append its event (preempted, say) must not let a later transition of the same subject append first.
 */
class SessionServiceEventOrderTest {

    private final ServiceFixture f = new ServiceFixture();
    private final List<SessionEvent> appended = new CopyOnWriteArrayList<>();
    private final AtomicReference<Thread> racer = new AtomicReference<>();

    /**
     * A service whose event log, on the first event of {@code trigger} type, runs {@code race} on another
     * thread and gives it up to 300 ms before appending, as a slow appender would.
     */
    private SessionService serviceRacingOn(SessionEventType trigger, BiConsumer<SessionService, SessionEvent> race) {
        AtomicReference<SessionService> self = new AtomicReference<>();
        EventLog slowLog = event -> {
            if (event.type() == trigger && racer.get() == null) {
                Thread thread = new Thread(() -> race.accept(self.get(), event));
                racer.set(thread);
                thread.start();
                try {
                    thread.join(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            appended.add(event);
        };
        self.set(new SessionService(() -> new DecisionSettings(f.catalog, RequestLimits.DEFAULTS), f.store, f.ids,
                SessionTimings.DEFAULTS, f.clock, slowLog));
        return self.get();
    }

    private List<SessionEventType> appendedTypes() {
        return appended.stream().map(SessionEvent::type).toList();
    }

    @Test
    void stopRacingASlowStartedAppendIsAppendedAfterIt() throws Exception {
        SessionService service = serviceRacingOn(SessionEventType.STARTED,
                (s, started) -> s.stop(DEMO, ALICE, started.sessionId().orElseThrow()));

        service.start(DEMO, ALICE, Map.of(), Set.of());
        racer.get().join(5_000);

        assertThat(appendedTypes()).containsExactly(SessionEventType.STARTED, SessionEventType.STOPPED);
    }

    @Test
    void heartbeatRacingASlowHeartbeatAppendIsAppendedAfterIt() throws Exception {
        SessionService service = serviceRacingOn(SessionEventType.HEARTBEAT,
                (s, beat) -> s.heartbeat(DEMO, ALICE, beat.sessionId().orElseThrow(), Map.of("n", "2")));
        Session session = ((StartOutcome.Started) ServiceFixture.await(service.start(DEMO, ALICE, Map.of(), Set.of())))
                .session();

        service.heartbeat(DEMO, ALICE, session.id(), Map.of("n", "1"));
        racer.get().join(5_000);

        assertThat(appended).extracting(e -> e.type() + ":" + e.metadata().get("n"))
                .containsExactly("STARTED:null", "HEARTBEAT:1", "HEARTBEAT:2");
    }

    @Test
    void anotherSubjectIsNotHeldUpBySlowAppendsOfTheFirst() throws Exception {
        SessionService service = serviceRacingOn(SessionEventType.STARTED,
                (s, started) -> s.start(DEMO, BOB, Map.of(), Set.of()));

        service.start(DEMO, ALICE, Map.of(), Set.of());
        racer.get().join(5_000);

        // Bob's start (another subject) need not wait for Alice's append.
        assertThat(appended).extracting(SessionEvent::subject).containsExactly("bob", "alice");
    }
}
