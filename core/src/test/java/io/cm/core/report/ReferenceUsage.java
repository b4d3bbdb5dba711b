package io.cm.core.report;

import io.cm.core.event.SessionEvent;
import io.cm.core.event.SessionEventType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The report figures computed the slow way, straight from their definitions, for comparison: for
 * every interval, replay every event from the beginning, take what runs when the interval opens,
 * then walk its events. Events are in time order; no heartbeats, nothing stale.
 */
final class ReferenceUsage {

    private ReferenceUsage() {
    }

    private record Running(String subject, Group group) {
    }

    static List<UsageRow> usage(List<SessionEvent> events, Granularity granularity, Set<Dimension> by) {
        List<UsageRow> rows = new ArrayList<>();
        for (long interval : intervals(events, granularity)) {
            long end = granularity.next(interval);
            Map<String, Running> open = new HashMap<>();
            Map<Group, long[]> figures = new TreeMap<>();
            Map<Group, Map<String, Integer>> counts = new HashMap<>();
            Map<Group, Map<String, Integer>> peaks = new HashMap<>();
            for (SessionEvent e : events) {
                if (e.timestamp() >= end) break;
                boolean inside = e.timestamp() >= interval;
                if (inside && figures.isEmpty() && !open.isEmpty()) carry(open, by, figures, counts, peaks);
                Group full = new Group(e.tenant(), e.applicationId(), e.metadata().get("platform"));
                String id = e.sessionId().orElse(null);
                switch (e.type()) {
                    case STARTED -> {
                        open.put(id, new Running(e.subject(), full));
                        if (inside) {
                            Group g = full.within(by);
                            long[] f = figures.computeIfAbsent(g, k -> new long[8]);
                            f[2]++;
                            f[1]++;
                            long running = open.values().stream().filter(r -> r.group().within(by).equals(g)).count();
                            f[7] = Math.max(f[7], running);
                            int count = counts.computeIfAbsent(g, k -> new HashMap<>()).merge(e.subject(), 1, Integer::sum);
                            peaks.computeIfAbsent(g, k -> new HashMap<>()).merge(e.subject(), count, Math::max);
                        }
                    }
                    case DENIED -> {
                        if (inside) figures.computeIfAbsent(full.within(by), k -> new long[8])[4]++;
                    }
                    case STOPPED, EXPIRED, KILLED, DISMISSED -> {
                        Running running = open.remove(id);
                        if (running == null) continue;
                        if (inside) {
                            Group g = running.group().within(by);
                            long[] f = figures.computeIfAbsent(g, k -> new long[8]);
                            f[e.type() == SessionEventType.KILLED ? 6 : e.type() == SessionEventType.DISMISSED ? 5 : 3]++;
                            counts.get(g).merge(running.subject(), -1, Integer::sum);
                        }
                    }
                    case HEARTBEAT -> throw new IllegalArgumentException("not modelled here");
                }
            }
            if (figures.isEmpty() && !open.isEmpty()) carry(open, by, figures, counts, peaks);
            figures.forEach((group, f) -> rows.add(new UsageRow(interval, group,
                    peaks.getOrDefault(group, Map.of()).values().stream().filter(p -> p > 0).count(),
                    f[1], f[2], f[3], f[4], f[5], f[6], f[7])));
        }
        return rows;
    }

    /** What an interval opens with: the sessions running, their subjects at their current counts. */
    private static void carry(Map<String, Running> open, Set<Dimension> by, Map<Group, long[]> figures,
                              Map<Group, Map<String, Integer>> counts, Map<Group, Map<String, Integer>> peaks) {
        for (Running running : open.values()) {
            Group g = running.group().within(by);
            long[] f = figures.computeIfAbsent(g, k -> new long[8]);
            f[1]++;
            f[7]++;
            int count = counts.computeIfAbsent(g, k -> new HashMap<>()).merge(running.subject(), 1, Integer::sum);
            peaks.computeIfAbsent(g, k -> new HashMap<>()).merge(running.subject(), count, Math::max);
        }
    }

    /** The histogram: per interval and group, subjects by their peak. */
    static List<LevelRow> levels(List<SessionEvent> events, Granularity granularity, Set<Dimension> by) {
        List<LevelRow> rows = new ArrayList<>();
        for (long interval : intervals(events, granularity)) {
            long end = granularity.next(interval);
            Map<String, Running> open = new HashMap<>();
            Map<Group, Map<String, Integer>> counts = new HashMap<>();
            Map<Group, Map<String, Integer>> peaks = new TreeMap<>();
            boolean opened = false;
            for (SessionEvent e : events) {
                if (e.timestamp() >= end) break;
                boolean inside = e.timestamp() >= interval;
                if (inside && !opened) {
                    opened = true;
                    carry(open, by, new HashMap<>(), counts, peaks);
                }
                String id = e.sessionId().orElse(null);
                if (e.type() == SessionEventType.STARTED) {
                    Running running = new Running(e.subject(), new Group(e.tenant(), e.applicationId(),
                            e.metadata().get("platform")));
                    open.put(id, running);
                    if (inside) {
                        Group g = running.group().within(by);
                        int count = counts.computeIfAbsent(g, k -> new HashMap<>()).merge(e.subject(), 1, Integer::sum);
                        peaks.computeIfAbsent(g, k -> new HashMap<>()).merge(e.subject(), count, Math::max);
                    }
                } else if (e.type() != SessionEventType.DENIED) {
                    Running running = open.remove(id);
                    if (running != null && inside) counts.get(running.group().within(by)).merge(running.subject(), -1, Integer::sum);
                }
            }
            if (!opened) carry(open, by, new HashMap<>(), counts, peaks);
            peaks.forEach((group, byPeak) -> {
                int highest = byPeak.values().stream().mapToInt(Integer::intValue).max().orElse(0);
                for (int level = 1; level <= highest; level++) {
                    int l = level;
                    rows.add(new LevelRow(interval, group, level, byPeak.values().stream().filter(p -> p == l).count()));
                }
            });
        }
        return rows;
    }

    /** Every interval from the first event's to the last's. */
    private static Set<Long> intervals(List<SessionEvent> events, Granularity granularity) {
        Set<Long> intervals = new TreeSet<>();
        if (events.isEmpty()) return intervals;
        long last = events.getLast().timestamp();
        for (long i = granularity.start(events.getFirst().timestamp()); i <= last; i = granularity.next(i)) intervals.add(i);
        return intervals;
    }

    static Set<String> subjects(List<SessionEvent> events) {
        Set<String> subjects = new HashSet<>();
        events.forEach(e -> subjects.add(e.subject()));
        return subjects;
    }
}
