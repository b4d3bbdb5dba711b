package io.cm.core.service;

import io.cm.core.ManualClock;
import io.cm.core.event.SessionEvent;
import io.cm.core.event.SessionEventType;
import io.cm.core.policy.Application;
import io.cm.core.policy.Catalog;
import io.cm.core.policy.ConflictMode;
import io.cm.core.policy.Policy;
import io.cm.core.policy.Rule;
import io.cm.core.policy.Target;
import io.cm.core.session.Session;
import io.cm.core.session.SessionIds;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.core.store.InMemorySessionStore;
import io.cm.core.store.RequestLimit;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** A service over the demo configuration, an in-memory store, a manual clock and a collecting event log. */
final class ServiceFixture {

    static final Application DEMO = app("demo-app", "demo", "Demo application", "demo-policy");
    static final Application DEMO_2 = app("demo-app-2", "demo", "Demo application 2", "demo-policy-2");
    static final Application FIFO = app("demo-app-fifo", "demo", "Demo FIFO application", "latest-wins");
    static final Application LIVE = app("live-app", "demo", "Live application", "live-only");
    static final Application OTHER = app("other-app", "other", "Other tenant application", "other-policy");

    static final SubjectKey ALICE = new SubjectKey("idp", "alice");
    static final SubjectKey BOB = new SubjectKey("idp", "bob");

    final ManualClock clock = new ManualClock();
    final List<SessionEvent> events = new CopyOnWriteArrayList<>();
    final InMemorySessionStore store = new InMemorySessionStore();
    final SessionIds ids = new SessionIds("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));
    static final List<Policy> POLICIES = List.of(
            new Policy("demo-policy", List.of(new Rule.MaxStreams(null, 3)), ConflictMode.LIFO, Optional.empty()),
            new Policy("demo-policy-2", List.of(new Rule.MaxPerValue(null, "channel", 2)), ConflictMode.LIFO,
                    Optional.empty()),
            new Policy("latest-wins", List.of(new Rule.MaxStreams(null, 2)), ConflictMode.FIFO, Optional.empty()),
            new Policy("live-only", List.of(new Rule.MaxStreams(null, 1)), ConflictMode.LIFO,
                    Optional.of(new Target("contentType", Set.of("live")))),
            new Policy("other-policy", List.of(new Rule.MaxStreams(null, 5)), ConflictMode.LIFO, Optional.empty()));
    /** Read by the service at every operation: a test swaps it as an operator's change would. */
    Catalog catalog = new Catalog(List.of(DEMO, DEMO_2, FIFO, LIVE, OTHER), POLICIES);
    /** Generous, so that only the tests about throttling meet it. */
    RequestLimits limits = new RequestLimits(new RequestLimit(100_000, 60_000), new RequestLimit(100_000, 60_000));
    final SessionService service = new SessionService(() -> new DecisionSettings(catalog, limits),
            store, ids, SessionTimings.DEFAULTS, clock, events::add);

    /** Applies {@code policy} in place of the policy of its name, as the admin API would. */
    void change(Policy policy) {
        catalog = new Catalog(catalog.applications(), POLICIES.stream()
                .map(p -> p.name().equals(policy.name()) ? policy : p).toList());
    }

    private static Application app(String id, String tenant, String name, String policy) {
        return new Application(id, tenant, name, Optional.empty(), List.of(policy), Optional.empty());
    }

    /** The service's operations, awaited: in memory they complete before they return. */
    StartOutcome start(Application app, SubjectKey subject, Map<String, String> metadata, Set<String> terminate) {
        return await(service.start(app, subject, metadata, terminate));
    }

    HeartbeatOutcome heartbeat(Application app, SubjectKey subject, String sessionId, Map<String, String> metadata) {
        return await(service.heartbeat(app, subject, sessionId, metadata));
    }

    StopOutcome stop(Application app, SubjectKey subject, String sessionId) {
        return await(service.stop(app, subject, sessionId));
    }

    RunningStreams runningStreams(Application app, SubjectKey subject) {
        return await(service.runningStreams(app, subject));
    }

    int expireDue() {
        return await(service.expireDue());
    }

    SubjectSessions state(SubjectKey subject) {
        return await(store.read(subject));
    }

    static <T> T await(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    Session started(Application app, SubjectKey subject, Map<String, String> metadata, String... terminate) {
        StartOutcome outcome = start(app, subject, metadata, Set.of(terminate));
        assertThat(outcome).isInstanceOf(StartOutcome.Started.class);
        return ((StartOutcome.Started) outcome).session();
    }

    Session started(Application app, SubjectKey subject) {
        return started(app, subject, Map.of());
    }

    List<SessionEventType> eventTypes() {
        return events.stream().map(SessionEvent::type).toList();
    }

    List<SessionEvent> eventsOf(SessionEventType type) {
        return events.stream().filter(e -> e.type() == type).toList();
    }

    List<String> activeIds(SubjectKey subject) {
        return state(subject).active().stream().map(Session::id).toList();
    }
}
