package io.cm.core.report;

import io.cm.core.event.SessionEvent;
import io.cm.core.session.SubjectKey;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The usage reports of SPEC §10: events in, figures out. Events may come slightly out of time order
 * (several threads, several nodes); they wait here until the report clock is {@code lateness} past
 * them and are folded into the {@link UsageAggregator} in time order (one subject's in the order
 * they came, even if a clock went back). An event that comes later than that is folded at once,
 * at the time already reached, and counted in {@link #late()}. Reports show what is folded: they
 * lag the clock by {@code lateness}.
 *
 * <p>Not thread-safe: one thread owns it. {@link #add} is O(log pending).
 */
public final class UsageReports {

    private record Pending(SessionEvent event, long at, long sequence) {
    }

    // Written out: every heartbeat passes through this queue, and the composed comparator's lambdas
    // were a third of the report thread's time.
    private static final Comparator<Pending> ORDER = (a, b) -> a.at() != b.at()
            ? Long.compare(a.at(), b.at()) : Long.compare(a.sequence(), b.sequence());

    private final UsageAggregator aggregator;
    private final long lateness;
    private final PriorityQueue<Pending> pending = new PriorityQueue<>(ORDER);
    /** Per subject with pending events: the latest time given to one, and how many are pending. */
    private final Map<SubjectKey, long[]> subjects = new HashMap<>();
    private long sequence;
    private long late;

    public UsageReports(UsageAggregator aggregator, long lateness) {
        this.aggregator = aggregator;
        this.lateness = lateness;
    }

    public void add(SessionEvent event) {
        long at = event.timestamp();
        if (at <= aggregator.now()) {
            late++;
            aggregator.add(event);
            return;
        }
        SubjectKey subject = new SubjectKey(event.idp(), event.subject());
        long[] order = subjects.computeIfAbsent(subject, k -> new long[]{Long.MIN_VALUE, 0});
        at = Math.max(at, order[0]);
        order[0] = at;
        order[1]++;
        pending.add(new Pending(event, at, sequence++));
    }

    /** Folds every event at least {@code lateness} older than {@code clock}, and lets time pass to there. */
    public void advance(long clock) {
        release(clock - lateness);
    }

    /** Folds every pending event, e.g. before a snapshot at shutdown. */
    public void flush() {
        long last = pending.stream().mapToLong(Pending::at).max().orElse(aggregator.now());
        release(last);
    }

    private void release(long until) {
        while (!pending.isEmpty() && pending.peek().at() <= until) {
            Pending next = pending.poll();
            SubjectKey subject = new SubjectKey(next.event().idp(), next.event().subject());
            long[] order = subjects.get(subject);
            if (--order[1] == 0) subjects.remove(subject);
            aggregator.advanceTo(next.at());
            aggregator.add(next.event());
        }
        aggregator.advanceTo(until);
    }

    public List<UsageRow> usage(long from, long to, Granularity granularity, Set<Dimension> by) {
        return aggregator.usage(from, to, granularity, by);
    }

    public List<LevelRow> concurrencyLevels(long from, long to, Granularity granularity, Set<Dimension> by) {
        return aggregator.concurrencyLevels(from, to, granularity, by);
    }

    public int pending() {
        return pending.size();
    }

    /** Events that came after their time was folded (counted at the time reached instead). */
    public long late() {
        return late;
    }

    public UsageAggregator aggregator() {
        return aggregator;
    }
}
