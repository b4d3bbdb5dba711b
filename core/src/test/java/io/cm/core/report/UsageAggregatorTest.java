package io.cm.core.report;

import io.cm.core.event.SessionEvent;
import io.cm.core.event.SessionEventType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.cm.core.report.Events.at;
import static org.assertj.core.api.Assertions.assertThat;

/** SPEC §10: usage figures equal what happened, interval by interval, group by group. */
class UsageAggregatorTest {

    private static final Map<Granularity, Long> KEEP_ALL = Map.of(Granularity.MINUTE, Duration.ofDays(3650).toMillis(),
            Granularity.HOUR, Duration.ofDays(3650).toMillis(), Granularity.DAY, Duration.ofDays(3650).toMillis(),
            Granularity.MONTH, Duration.ofDays(3650).toMillis());
    private static final long NEVER_STALE = Duration.ofDays(3650).toMillis();
    private static final Set<Dimension> BY_TENANT = Set.of(Dimension.TENANT);
    private static final Set<Dimension> NONE = Set.of();

    private static UsageAggregator fold(List<SessionEvent> events) {
        UsageAggregator aggregator = new UsageAggregator(KEEP_ALL, NEVER_STALE);
        events.forEach(aggregator::add);
        return aggregator;
    }

    private static final long T10 = at("2026-03-01T10:00:00Z");
    private static final long T11 = at("2026-03-01T11:00:00Z");
    private static final long T12 = at("2026-03-01T12:00:00Z");
    private static final long T13 = at("2026-03-01T13:00:00Z");

    /**
     * Two tenants over three hours. Tenant a: alice runs two sessions at once in hour 10 (one
     * stopped), is denied once, her second session is killed in hour 11; bob starts in hour 11 and
     * expires in hour 12. Tenant b: carol's session is dismissed by her newer one in hour 10.
     */
    private static List<SessionEvent> threeHours() {
        return new Events()
                .start(T10 + 60_000, "a", "a-app", "alice", "a1", "web")
                .start(T10 + 120_000, "a", "a-app", "alice", "a2", "tv")
                .denied(T10 + 180_000, "a", "a-app", "alice")
                .start(T10 + 200_000, "b", "b-app", "carol", "c1")
                .start(T10 + 300_000, "b", "b-app", "carol", "c2")
                .end(T10 + 300_000, SessionEventType.DISMISSED, "c1")
                .end(T10 + 600_000, SessionEventType.STOPPED, "a1")
                .start(T11 + 60_000, "a", "a-app", "bob", "b1", "web")
                .end(T11 + 120_000, SessionEventType.KILLED, "a2")
                .start(T11 + 120_000, "a", "a-app", "alice", "a3", "web")
                .end(T12 + 30_000, SessionEventType.EXPIRED, "b1")
                .end(T12 + 40_000, SessionEventType.STOPPED, "a3")
                .list();
    }

    @Test
    void everyFigureOfEveryHourlyRowByTenantEqualsWhatHappened() {
        List<UsageRow> rows = fold(threeHours()).usage(T10, T13, Granularity.HOUR, BY_TENANT);

        assertThat(rows).containsExactly(
                // users, active, started, completed, failed, dismissed, killed, peak
                new UsageRow(T10, new Group("a", null, null), 1, 2, 2, 1, 1, 0, 0, 2),
                new UsageRow(T10, new Group("b", null, null), 1, 2, 2, 0, 0, 1, 0, 2),
                new UsageRow(T11, new Group("a", null, null), 2, 3, 2, 0, 0, 0, 1, 2),
                new UsageRow(T11, new Group("b", null, null), 1, 1, 0, 0, 0, 0, 0, 1),
                new UsageRow(T12, new Group("a", null, null), 2, 2, 0, 2, 0, 0, 0, 2),
                new UsageRow(T12, new Group("b", null, null), 1, 1, 0, 0, 0, 0, 0, 1));
    }

    @Test
    void theConcurrencyLevelsCountEachSubjectOnceAtItsHighestConcurrency() {
        List<LevelRow> rows = fold(threeHours()).concurrencyLevels(T10, T13, Granularity.HOUR, NONE);

        Group all = new Group(null, null, null);
        assertThat(rows).containsExactly(
                // hour 10: alice reached 2, carol reached 2 (her second start came before the dismissal)
                new LevelRow(T10, all, 1, 0), new LevelRow(T10, all, 2, 2),
                // hour 11: alice at 1 throughout (killed then restarted), bob 1, carol 1
                new LevelRow(T11, all, 1, 3),
                // hour 12: alice, bob and carol each at 1
                new LevelRow(T12, all, 1, 3));
    }

    @Test
    void platformGroupsSessionsByTheirPlatformMetadataAndNoneWithout() {
        List<UsageRow> rows = fold(threeHours()).usage(T11, T12, Granularity.HOUR, Set.of(Dimension.PLATFORM));

        assertThat(rows).extracting(UsageRow::group, UsageRow::activeSessions, UsageRow::activeUsers).containsExactly(
                org.assertj.core.groups.Tuple.tuple(new Group(null, null, null), 1L, 1L),
                org.assertj.core.groups.Tuple.tuple(new Group(null, null, "tv"), 1L, 1L),
                org.assertj.core.groups.Tuple.tuple(new Group(null, null, "web"), 2L, 2L));
    }

    @Test
    void intervalsWithoutEventsButWithSessionsRunningHaveTheirRows() {
        List<SessionEvent> events = new Events()
                .start(T10, "a", "a-app", "alice", "s1")
                .end(T10 + 3 * 60_000, SessionEventType.STOPPED, "s1")
                .list();

        List<UsageRow> rows = fold(events).usage(T10, T11, Granularity.MINUTE, NONE);

        assertThat(rows).extracting(UsageRow::interval).containsExactly(T10, T10 + 60_000, T10 + 120_000, T10 + 180_000);
        assertThat(rows).extracting(UsageRow::activeSessions).containsOnly(1L);
        assertThat(rows.get(1).startedSessions()).isZero();
        assertThat(rows.get(3).completedSessions()).isEqualTo(1);
    }

    @Test
    void aHeartbeatOfASessionNeverSeenStartingMakesItActiveWithoutCountingAStart() {
        UsageAggregator aggregator = fold(new Events().heartbeat(T10, "a", "a-app", "alice", "old").list());
        aggregator.add(new Events().start(T10 - 5_000, "a", "a-app", "alice", "old")
                .end(T10 + 1_000, SessionEventType.STOPPED, "old").list().getLast());

        UsageRow row = aggregator.usage(T10, T11, Granularity.HOUR, NONE).getFirst();

        assertThat(row.activeSessions()).isEqualTo(1);
        assertThat(row.startedSessions()).isZero();
        assertThat(row.completedSessions()).isEqualTo(1);
    }

    @Test
    void endingsOfSessionsNeverSeenAreNotCountedSoARepeatIsHarmless() {
        List<SessionEvent> events = new Events()
                .start(T10, "a", "a-app", "alice", "s1")
                .end(T10 + 1_000, SessionEventType.STOPPED, "s1")
                .end(T10 + 2_000, SessionEventType.STOPPED, "s1")
                .list();

        assertThat(fold(events).usage(T10, T11, Granularity.HOUR, NONE).getFirst().completedSessions()).isEqualTo(1);
    }

    @Test
    void aSessionSilentForLongerThanStaleAfterStopsCounting() {
        UsageAggregator aggregator = new UsageAggregator(KEEP_ALL, Duration.ofMinutes(2).toMillis());
        new Events().start(T10, "a", "a-app", "alice", "lost").list().forEach(aggregator::add);

        for (long t = T10; t <= T10 + Duration.ofMinutes(5).toMillis(); t += 30_000) aggregator.advanceTo(t);

        List<UsageRow> minutes = aggregator.usage(T10, T11, Granularity.MINUTE, NONE);
        assertThat(minutes).extracting(UsageRow::interval).containsExactly(T10, T10 + 60_000, T10 + 120_000);
        assertThat(minutes.getLast().completedSessions()).isZero();
    }

    @Test
    void intervalsOlderThanTheirRetentionAreDropped() {
        Map<Granularity, Long> retention = new java.util.EnumMap<>(KEEP_ALL);
        retention.put(Granularity.MINUTE, Duration.ofMinutes(10).toMillis());
        UsageAggregator aggregator = new UsageAggregator(retention, NEVER_STALE);
        new Events().start(T10, "a", "a-app", "alice", "s1").end(T10 + 1_000, SessionEventType.STOPPED, "s1")
                .list().forEach(aggregator::add);

        aggregator.advanceTo(T10 + Duration.ofMinutes(30).toMillis());

        assertThat(aggregator.usage(T10, T11, Granularity.MINUTE, NONE)).isEmpty();
        assertThat(aggregator.usage(T10, T11, Granularity.HOUR, NONE)).hasSize(1);
    }

    @Test
    void monthsFollowTheCalendarInUtc() {
        List<SessionEvent> events = new Events()
                .start(at("2026-01-31T23:59:00Z"), "a", "a-app", "alice", "s1")
                .end(at("2026-02-01T00:01:00Z"), SessionEventType.STOPPED, "s1")
                .list();

        List<UsageRow> months = fold(events).usage(at("2026-01-01T00:00:00Z"), at("2026-03-01T00:00:00Z"),
                Granularity.MONTH, NONE);

        assertThat(months).extracting(UsageRow::interval)
                .containsExactly(at("2026-01-01T00:00:00Z"), at("2026-02-01T00:00:00Z"));
        assertThat(months).extracting(UsageRow::activeSessions).containsExactly(1L, 1L);
    }

    @Test
    void aSnapshotReadBackGoesOnExactlyAsTheOriginal() throws IOException {
        List<SessionEvent> events = threeHours();
        UsageAggregator original = new UsageAggregator(KEEP_ALL, NEVER_STALE);
        events.subList(0, 8).forEach(original::add);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        original.writeTo(new DataOutputStream(bytes));
        UsageAggregator restored = UsageAggregator.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())),
                KEEP_ALL, NEVER_STALE);

        events.subList(8, events.size()).forEach(original::add);
        events.subList(8, events.size()).forEach(restored::add);

        for (Granularity granularity : Granularity.values()) {
            for (Set<Dimension> by : subsets()) {
                assertThat(restored.usage(T10, T13, granularity, by)).isEqualTo(original.usage(T10, T13, granularity, by));
                assertThat(restored.concurrencyLevels(T10, T13, granularity, by))
                        .isEqualTo(original.concurrencyLevels(T10, T13, granularity, by));
            }
        }
    }

    @Test
    void randomSequencesGiveTheFiguresOfTheirDefinitionsForEveryGroupingAndGranularity() {
        for (int seed = 1; seed <= 4; seed++) {
            List<SessionEvent> events = random(new Random(seed), 300);
            UsageAggregator aggregator = fold(events);
            long from = events.getFirst().timestamp();
            long to = events.getLast().timestamp() + 1;
            for (Granularity granularity : List.of(Granularity.MINUTE, Granularity.HOUR, Granularity.DAY)) {
                for (Set<Dimension> by : subsets()) {
                    assertThat(aggregator.usage(from, to, granularity, by)).as("seed %d, %s by %s", seed, granularity, by)
                            .isEqualTo(ReferenceUsage.usage(events, granularity, by));
                    assertThat(aggregator.concurrencyLevels(from, to, granularity, by))
                            .as("levels, seed %d, %s by %s", seed, granularity, by)
                            .isEqualTo(ReferenceUsage.levels(events, granularity, by));
                }
            }
        }
    }

    private static List<Set<Dimension>> subsets() {
        List<Set<Dimension>> all = new ArrayList<>();
        for (int mask = 0; mask < 8; mask++) {
            Set<Dimension> by = EnumSet.noneOf(Dimension.class);
            for (Dimension d : Dimension.values()) if ((mask & 1 << d.ordinal()) != 0) by.add(d);
            all.add(by);
        }
        return all;
    }

    /** Starts, denials and every kind of ending over about six hours across midnight, 3 tenants, 4 apps, 6 subjects, 3 platforms. */
    private static List<SessionEvent> random(Random random, int steps) {
        Events events = new Events();
        List<String> running = new ArrayList<>();
        String[][] apps = {{"t1", "app-1"}, {"t1", "app-2"}, {"t2", "app-3"}, {"t3", "app-4"}};
        String[] platforms = {null, "web", "tv"};
        SessionEventType[] endings = {SessionEventType.STOPPED, SessionEventType.EXPIRED, SessionEventType.KILLED,
                SessionEventType.DISMISSED};
        long now = at("2026-05-31T22:00:00Z");
        for (int i = 0; i < steps; i++) {
            now += random.nextInt(4) == 0 ? 0 : random.nextInt(150_000);
            int choice = random.nextInt(10);
            String[] app = apps[random.nextInt(apps.length)];
            String subject = "s" + random.nextInt(6);
            if (choice < 5 || running.isEmpty()) {
                String id = "id" + i;
                events.start(now, app[0], app[1], subject, id, platforms[random.nextInt(platforms.length)]);
                running.add(id);
            } else if (choice < 7) {
                events.denied(now, app[0], app[1], subject);
            } else {
                String id = running.remove(random.nextInt(running.size()));
                events.end(now, endings[random.nextInt(endings.length)], id);
            }
        }
        return events.list();
    }
}
