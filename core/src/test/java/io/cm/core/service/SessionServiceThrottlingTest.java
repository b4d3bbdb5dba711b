package io.cm.core.service;

import io.cm.core.session.Session;
import io.cm.core.store.RequestLimit;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static io.cm.core.service.ServiceFixture.ALICE;
import static io.cm.core.service.ServiceFixture.BOB;
import static io.cm.core.service.ServiceFixture.DEMO;
import static org.assertj.core.api.Assertions.assertThat;

/** SPEC §2 429: inits per (idp, subject), heartbeats and stops per session, each refilled after its window. */
class SessionServiceThrottlingTest {

    private final ServiceFixture f = new ServiceFixture();

    {
        f.limits = new RequestLimits(new RequestLimit(2, 60_000), new RequestLimit(3, 60_000));
    }

    @Test
    void aThirdInitWithinTheWindowIsThrottledUntilTheWindowEnds() {
        long windowStart = f.clock.millis();
        Session first = f.started(DEMO, ALICE);
        f.stop(DEMO, ALICE, first.id());
        f.clock.advance(Duration.ofSeconds(10));
        f.started(DEMO, ALICE);

        assertThat(f.start(DEMO, ALICE, Map.of(), Set.of())).isEqualTo(new Throttled(windowStart + 60_000));
        assertThat(f.activeIds(ALICE)).hasSize(1);
        assertThat(f.start(DEMO, BOB, Map.of(), Set.of())).as("another subject").isInstanceOf(StartOutcome.Started.class);

        f.clock.advance(Duration.ofSeconds(50));
        assertThat(f.start(DEMO, ALICE, Map.of(), Set.of())).isInstanceOf(StartOutcome.Started.class);
    }

    @Test
    void aThrottledInitEmitsNoEvent() {
        f.started(DEMO, ALICE);
        f.started(DEMO, ALICE);
        f.events.clear();

        f.start(DEMO, ALICE, Map.of(), Set.of());

        assertThat(f.events).isEmpty();
    }

    @Test
    void heartbeatsAndStopsShareTheSessionsBudgetWhetherOrNotTheyCarryMetadata() {
        Session session = f.started(DEMO, ALICE);
        Session other = f.started(DEMO, ALICE);

        assertThat(f.heartbeat(DEMO, ALICE, session.id(), Map.of())).isInstanceOf(HeartbeatOutcome.Alive.class);
        assertThat(f.heartbeat(DEMO, ALICE, session.id(), Map.of("position", "1")))
                .isInstanceOf(HeartbeatOutcome.Alive.class);
        assertThat(f.heartbeat(DEMO, ALICE, session.id(), Map.of())).isInstanceOf(HeartbeatOutcome.Alive.class);

        assertThat(f.heartbeat(DEMO, ALICE, session.id(), Map.of())).isInstanceOf(Throttled.class);
        assertThat(f.stop(DEMO, ALICE, session.id())).isInstanceOf(Throttled.class);
        assertThat(f.heartbeat(DEMO, ALICE, other.id(), Map.of())).as("another session")
                .isInstanceOf(HeartbeatOutcome.Alive.class);
        assertThat(f.activeIds(ALICE)).containsExactly(session.id(), other.id());
    }
}
