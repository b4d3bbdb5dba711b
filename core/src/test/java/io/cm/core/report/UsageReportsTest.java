package io.cm.core.report;

import io.cm.core.event.SessionEvent;
import io.cm.core.event.SessionEventType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.cm.core.report.Events.at;
import static org.assertj.core.api.Assertions.assertThat;

/** Events that come slightly out of order are folded in time order, once the lateness has passed. */
class UsageReportsTest {

    private static final long T = at("2026-03-01T10:00:00Z");
    private static final long LATENESS = 2_000;
    private static final long DAY = Duration.ofDays(1).toMillis();

    private static UsageReports reports() {
        return new UsageReports(new UsageAggregator(Map.of(Granularity.MINUTE, DAY, Granularity.HOUR, DAY,
                Granularity.DAY, DAY, Granularity.MONTH, DAY), DAY), LATENESS);
    }

    private static UsageRow hour(UsageReports reports) {
        return reports.usage(T, T + 3_600_000, Granularity.HOUR, Set.of()).getFirst();
    }

    @Test
    void anEndAppendedAfterALaterStartOfAnotherSubjectDoesNotMakeAPeakThatNeverWas() {
        List<SessionEvent> events = new Events()
                .start(T, "a", "app", "alice", "a1")
                .end(T + 1_000, SessionEventType.STOPPED, "a1")
                .start(T + 1_001, "a", "app", "bob", "b1")
                .list();
        UsageReports reports = reports();
        reports.add(events.get(0));
        reports.add(events.get(2));
        reports.add(events.get(1));

        reports.advance(T + 1_001 + LATENESS);

        assertThat(hour(reports).peakConcurrentSessions()).isEqualTo(1);
        assertThat(reports.late()).isZero();
    }

    @Test
    void figuresShowEventsOnceTheLatenessHasPassed() {
        UsageReports reports = reports();
        reports.add(new Events().start(T, "a", "app", "alice", "a1").list().getFirst());

        reports.advance(T + LATENESS - 1);
        assertThat(reports.usage(T, T + 3_600_000, Granularity.HOUR, Set.of())).isEmpty();
        assertThat(reports.pending()).isEqualTo(1);

        reports.advance(T + LATENESS);
        assertThat(hour(reports).startedSessions()).isEqualTo(1);
        assertThat(reports.pending()).isZero();
    }

    @Test
    void aSubjectsEventsKeepTheirOrderEvenIfItsClockWentBack() {
        List<SessionEvent> events = new Events()
                .start(T + 500, "a", "app", "alice", "a1")
                .end(T + 400, SessionEventType.STOPPED, "a1")
                .list();
        UsageReports reports = reports();
        events.forEach(reports::add);

        reports.advance(T + 500 + LATENESS);

        assertThat(hour(reports).completedSessions()).as("the stop is folded after the start it ends").isEqualTo(1);
    }

    @Test
    void anEventLaterThanTheLatenessIsFoldedAtTheTimeReachedAndCounted() {
        UsageReports reports = reports();
        reports.advance(T + 60_000);

        reports.add(new Events().start(T, "a", "app", "alice", "a1").list().getFirst());

        assertThat(reports.late()).isEqualTo(1);
        assertThat(hour(reports).startedSessions()).isEqualTo(1);
    }

    @Test
    void flushFoldsEverythingPending() {
        UsageReports reports = reports();
        reports.add(new Events().start(T, "a", "app", "alice", "a1").list().getFirst());

        reports.flush();

        assertThat(reports.pending()).isZero();
        assertThat(hour(reports).startedSessions()).isEqualTo(1);
    }
}
