package io.cm.core.report;

import io.cm.core.event.SessionEvent;
import io.cm.core.session.SubjectKey;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Usage figures (SPEC §10) folded from session events as they come, for every grouping (each subset
 * of tenant, application, platform) and granularity at once, so that a report only reads the
 * intervals it covers and never rescans events. An event costs a constant amount of work: a few map
 * updates per grouping and granularity (32 cells), none of it proportional to history. Intervals
 * older than their granularity's retention are dropped as time passes.
 *
 * <p>How the figures are counted is on {@link UsageRow} and {@link LevelRow}. The subtle ones are
 * kept exact without remembering who was active in past intervals: when an interval opens, the
 * sessions and subjects still running are carried into it (counts and concurrency levels as they
 * stand); a subject touched in the interval remembers its highest concurrency in it, so its
 * histogram bucket moves up only when that is exceeded.
 *
 * <p>Events must be folded in time order ({@link UsageReports} orders them); an event dated before
 * the time already folded counts at that time. A session counts from its {@code session.started}; a
 * heartbeat of a session these figures never saw start (history began while it ran) makes it
 * active from then on without counting it as started. Endings of sessions never seen are not
 * counted, so a repeated ending is harmless. A session with no event for {@code staleAfter} (its
 * ending was lost) stops counting as active, silently.
 *
 * <p>Not thread-safe: one thread owns it (the report thread). Memory: the retained cells, each open
 * session, and per grouping one small entry per subject seen in the current month.
 */
public final class UsageAggregator {

    private static final int FORMAT = 1;
    private static final Granularity[] GRANULARITIES = Granularity.values();
    private static final List<Set<Dimension>> GROUPINGS = groupings();
    private static final long NONE = Long.MIN_VALUE;

    private final Map<Granularity, Long> retention;
    private final long staleAfter;
    private final Map<String, OpenSession> sessions = new HashMap<>();
    private final Grouping[] groupings = new Grouping[GROUPINGS.size()];
    private long now = NONE;
    private long nextSweep = NONE;

    /**
     * @param retention  how long each granularity's intervals are kept (ms), by their start
     * @param staleAfter a session without any event for this long (ms) is taken as gone
     */
    public UsageAggregator(Map<Granularity, Long> retention, long staleAfter) {
        if (!retention.keySet().containsAll(EnumSet.allOf(Granularity.class))) {
            throw new IllegalArgumentException("a retention is needed for every granularity");
        }
        this.retention = Map.copyOf(retention);
        this.staleAfter = staleAfter;
        for (int i = 0; i < groupings.length; i++) groupings[i] = new Grouping(GROUPINGS.get(i));
    }

    private static List<Set<Dimension>> groupings() {
        List<Set<Dimension>> all = new ArrayList<>();
        Dimension[] dimensions = Dimension.values();
        for (int mask = 0; mask < 1 << dimensions.length; mask++) {
            Set<Dimension> by = EnumSet.noneOf(Dimension.class);
            for (Dimension d : dimensions) if ((mask & 1 << d.ordinal()) != 0) by.add(d);
            all.add(Set.copyOf(by));
        }
        return List.copyOf(all);
    }

    private static int index(Set<Dimension> by) {
        int mask = 0;
        for (Dimension d : by) mask |= 1 << d.ordinal();
        return mask;
    }

    private record OpenSession(SubjectKey subject, Group group, long[] lastSeen) {
    }

    /** Figures of one interval and group, while it is open and once closed. */
    private static final class Cell {
        long started;
        long completed;
        long failed;
        long dismissed;
        long killed;
        long active;
        long peak;
        /** {@code levels[n]}: subjects whose highest concurrency in the interval is n (index 0 unused). */
        long[] levels = new long[2];

        void count(int level, long delta) {
            if (level >= levels.length) levels = Arrays.copyOf(levels, Math.max(level + 1, levels.length * 2));
            levels[level] += delta;
        }

        long users() {
            long users = 0;
            for (int level = 1; level < levels.length; level++) users += levels[level];
            return users;
        }

        int highestLevel() {
            for (int level = levels.length - 1; level > 0; level--) if (levels[level] != 0) return level;
            return 0;
        }
    }

    /** A subject in one group: its sessions running now, and per granularity its peak in the open interval. */
    private static final class Subject {
        int count;
        /** The interval (start) in which {@code peak} was last set, per granularity. */
        final long[] touched = {NONE, NONE, NONE, NONE};
        final int[] peak = new int[GRANULARITIES.length];
    }

    /** What is running now in one group. */
    private static final class Live {
        int open;
        /** {@code levels[n]}: subjects with n sessions of the group running now. */
        long[] levels = new long[2];
        final Map<SubjectKey, Subject> subjects = new HashMap<>();

        void count(int level, long delta) {
            if (level >= levels.length) levels = Arrays.copyOf(levels, Math.max(level + 1, levels.length * 2));
            levels[level] += delta;
        }
    }

    private static final class Track {
        long current = NONE;
        Map<Group, Cell> open = new HashMap<>();
        final TreeMap<Long, Map<Group, Cell>> closed = new TreeMap<>();
    }

    private static final class Grouping {
        final Set<Dimension> by;
        final Map<Group, Live> live = new HashMap<>();
        final Track[] tracks = new Track[GRANULARITIES.length];

        Grouping(Set<Dimension> by) {
            this.by = by;
            for (int g = 0; g < tracks.length; g++) tracks[g] = new Track();
        }
    }

    /** The time folded up to (epoch ms); {@link Long#MIN_VALUE} before anything. */
    public long now() {
        return now;
    }

    /** Folds one event, dated {@code event.timestamp()} or {@link #now()} if that is later. */
    public void add(SessionEvent event) {
        advanceTo(event.timestamp());
        Group group = new Group(event.tenant(), event.applicationId(), event.metadata().get("platform"));
        switch (event.type()) {
            case STARTED -> event.sessionId().ifPresent(id -> start(id, event, group, true));
            case HEARTBEAT -> event.sessionId().ifPresent(id -> {
                OpenSession running = sessions.get(id);
                if (running == null) {
                    start(id, event, group, false);
                } else {
                    running.lastSeen()[0] = now;
                }
            });
            case DENIED -> count(group, cell -> cell.failed++);
            case STOPPED, EXPIRED -> event.sessionId().ifPresent(id -> end(id, cell -> cell.completed++));
            case KILLED -> event.sessionId().ifPresent(id -> end(id, cell -> cell.killed++));
            case DISMISSED -> event.sessionId().ifPresent(id -> end(id, cell -> cell.dismissed++));
        }
    }

    private void count(Group group, Consumer<Cell> counter) {
        for (Grouping grouping : groupings) {
            Group key = group.within(grouping.by);
            for (Track track : grouping.tracks) counter.accept(track.open.computeIfAbsent(key, k -> new Cell()));
        }
    }

    private void start(String id, SessionEvent event, Group group, boolean counted) {
        if (sessions.containsKey(id)) return;
        SubjectKey subjectKey = new SubjectKey(event.idp(), event.subject());
        sessions.put(id, new OpenSession(subjectKey, group, new long[]{now}));
        for (Grouping grouping : groupings) {
            Group key = group.within(grouping.by);
            Live live = grouping.live.computeIfAbsent(key, k -> new Live());
            Subject subject = live.subjects.computeIfAbsent(subjectKey, k -> new Subject());
            int before = subject.count++;
            live.open++;
            if (before > 0) live.count(before, -1);
            live.count(before + 1, 1);
            for (int g = 0; g < GRANULARITIES.length; g++) {
                Track track = grouping.tracks[g];
                Cell cell = track.open.computeIfAbsent(key, k -> new Cell());
                if (counted) cell.started++;
                cell.active++;
                cell.peak = Math.max(cell.peak, live.open);
                int peak = touch(subject, g, track.current, before);
                if (before + 1 > peak) {
                    if (peak > 0) cell.count(peak, -1);
                    cell.count(before + 1, 1);
                    subject.peak[g] = before + 1;
                }
            }
        }
    }

    /**
     * The subject's peak in the open interval so far. Untouched in it, the subject has had
     * {@code count} sessions since the interval opened (no event changed it), which is therefore its
     * peak so far, and where the interval's histogram already counts it.
     */
    private static int touch(Subject subject, int granularity, long interval, int count) {
        if (subject.touched[granularity] != interval) {
            subject.touched[granularity] = interval;
            subject.peak[granularity] = count;
        }
        return subject.peak[granularity];
    }

    private void end(String id, Consumer<Cell> counter) {
        OpenSession session = sessions.remove(id);
        if (session == null) return;
        for (Grouping grouping : groupings) {
            Group key = session.group().within(grouping.by);
            Live live = grouping.live.get(key);
            Subject subject = live.subjects.get(session.subject());
            int before = subject.count--;
            live.open--;
            live.count(before, -1);
            if (before > 1) live.count(before - 1, 1);
            for (int g = 0; g < GRANULARITIES.length; g++) {
                Track track = grouping.tracks[g];
                Cell cell = track.open.computeIfAbsent(key, k -> new Cell());
                if (counter != null) counter.accept(cell);
                touch(subject, g, track.current, before);
            }
        }
    }

    /**
     * Lets time pass to {@code time} without an event: intervals before it close (those with
     * sessions running get their carried figures even without events), retention drops old ones,
     * sessions silent for {@code staleAfter} stop counting. Earlier times change nothing.
     */
    public void advanceTo(long time) {
        if (time <= now) return;
        if (time >= nextSweep) {
            // Before the intervals roll: a stale session ends in the interval it was last seen running in.
            nextSweep = Granularity.MINUTE.next(Granularity.MINUTE.start(time));
            sweep(time);
        }
        now = time;
        for (Grouping grouping : groupings) {
            for (int g = 0; g < GRANULARITIES.length; g++) roll(grouping, g, time);
        }
    }

    private void roll(Grouping grouping, int g, long time) {
        Granularity granularity = GRANULARITIES[g];
        Track track = grouping.tracks[g];
        if (track.current != NONE && time < granularity.next(track.current)) return;
        long target = granularity.start(time);
        long oldest = granularity.start(time - retention.get(granularity));
        if (track.current != NONE) {
            keep(track, track.current, track.open);
            boolean running = grouping.live.values().stream().anyMatch(live -> live.open > 0);
            if (running) {
                // Intervals without any event, while sessions ran through them.
                for (long gap = Math.max(granularity.next(track.current), oldest); gap < target; gap = granularity.next(gap)) {
                    keep(track, gap, carried(grouping));
                }
            }
        }
        track.current = target;
        track.open = carried(grouping);
        track.closed.headMap(oldest).clear();
        if (granularity == Granularity.MONTH) forgetIdle(grouping);
    }

    private static void keep(Track track, long interval, Map<Group, Cell> cells) {
        if (!cells.isEmpty()) track.closed.put(interval, cells);
    }

    /** The cells an interval opens with: what runs now, in every group that has sessions running. */
    private static Map<Group, Cell> carried(Grouping grouping) {
        Map<Group, Cell> cells = new HashMap<>();
        grouping.live.forEach((group, live) -> {
            if (live.open == 0) return;
            Cell cell = new Cell();
            cell.active = live.open;
            cell.peak = live.open;
            cell.levels = live.levels.clone();
            cells.put(group, cell);
        });
        return cells;
    }

    /** A new month: subjects without sessions are no longer counted in any open interval. */
    private static void forgetIdle(Grouping grouping) {
        Iterator<Live> groups = grouping.live.values().iterator();
        while (groups.hasNext()) {
            Live live = groups.next();
            live.subjects.values().removeIf(subject -> subject.count == 0);
            if (live.subjects.isEmpty()) groups.remove();
        }
    }

    private void sweep(long time) {
        List<String> stale = new ArrayList<>();
        sessions.forEach((id, session) -> {
            if (time - session.lastSeen()[0] > staleAfter) stale.add(id);
        });
        stale.forEach(id -> end(id, null));
    }

    /** Rows of {@code granularity} intervals starting in [{@code from} rounded down, {@code to}), by interval then group. */
    public List<UsageRow> usage(long from, long to, Granularity granularity, Set<Dimension> by) {
        List<UsageRow> rows = new ArrayList<>();
        cells(from, to, granularity, by, (interval, group, cell) -> rows.add(new UsageRow(interval, group, cell.users(),
                cell.active, cell.started, cell.completed, cell.failed, cell.dismissed, cell.killed, cell.peak)));
        return rows;
    }

    /** Concurrency-level rows, as {@link #usage}; levels 1 to the highest reached in each interval and group. */
    public List<LevelRow> concurrencyLevels(long from, long to, Granularity granularity, Set<Dimension> by) {
        List<LevelRow> rows = new ArrayList<>();
        cells(from, to, granularity, by, (interval, group, cell) -> {
            int highest = cell.highestLevel();
            for (int level = 1; level <= highest; level++) rows.add(new LevelRow(interval, group, level, cell.levels[level]));
        });
        return rows;
    }

    private interface CellVisitor {
        void visit(long interval, Group group, Cell cell);
    }

    private void cells(long from, long to, Granularity granularity, Set<Dimension> by, CellVisitor visitor) {
        Track track = groupings[index(by)].tracks[granularity.ordinal()];
        long first = granularity.start(from);
        track.closed.subMap(first, true, to, false).forEach((interval, cells) -> visit(interval, cells, visitor));
        if (track.current != NONE && track.current >= first && track.current < to) visit(track.current, track.open, visitor);
    }

    private static void visit(long interval, Map<Group, Cell> cells, CellVisitor visitor) {
        if (cells.size() == 1) {
            Map.Entry<Group, Cell> only = cells.entrySet().iterator().next();
            visitor.visit(interval, only.getKey(), only.getValue());
            return;
        }
        List<Group> groups = new ArrayList<>(cells.keySet());
        groups.sort(null);
        for (Group group : groups) visitor.visit(interval, group, cells.get(group));
    }

    // ---- snapshots ----------------------------------------------------------------------------

    /** Writes everything needed to go on where this left off ({@link #readFrom}). */
    public void writeTo(DataOutputStream out) throws IOException {
        out.writeInt(FORMAT);
        out.writeLong(now);
        out.writeLong(nextSweep);
        out.writeInt(sessions.size());
        for (Map.Entry<String, OpenSession> session : sessions.entrySet()) {
            out.writeUTF(session.getKey());
            writeSubject(out, session.getValue().subject());
            writeGroup(out, session.getValue().group());
            out.writeLong(session.getValue().lastSeen()[0]);
        }
        for (Grouping grouping : groupings) {
            out.writeInt(grouping.live.size());
            for (Map.Entry<Group, Live> entry : grouping.live.entrySet()) {
                writeGroup(out, entry.getKey());
                Live live = entry.getValue();
                out.writeInt(live.open);
                writeLongs(out, live.levels);
                out.writeInt(live.subjects.size());
                for (Map.Entry<SubjectKey, Subject> subject : live.subjects.entrySet()) {
                    writeSubject(out, subject.getKey());
                    out.writeInt(subject.getValue().count);
                    for (int g = 0; g < GRANULARITIES.length; g++) {
                        out.writeLong(subject.getValue().touched[g]);
                        out.writeInt(subject.getValue().peak[g]);
                    }
                }
            }
            for (Track track : grouping.tracks) {
                out.writeLong(track.current);
                writeCells(out, track.open);
                out.writeInt(track.closed.size());
                for (Map.Entry<Long, Map<Group, Cell>> interval : track.closed.entrySet()) {
                    out.writeLong(interval.getKey());
                    writeCells(out, interval.getValue());
                }
            }
        }
    }

    /** The aggregator {@link #writeTo} wrote, going on with these retention settings. */
    public static UsageAggregator readFrom(DataInputStream in, Map<Granularity, Long> retention, long staleAfter)
            throws IOException {
        int format = in.readInt();
        if (format != FORMAT) throw new IOException("unknown usage snapshot format " + format);
        UsageAggregator aggregator = new UsageAggregator(retention, staleAfter);
        aggregator.now = in.readLong();
        aggregator.nextSweep = in.readLong();
        for (int n = in.readInt(); n > 0; n--) {
            String id = in.readUTF();
            aggregator.sessions.put(id, new OpenSession(readSubject(in), readGroup(in), new long[]{in.readLong()}));
        }
        for (Grouping grouping : aggregator.groupings) {
            for (int n = in.readInt(); n > 0; n--) {
                Group group = readGroup(in);
                Live live = new Live();
                live.open = in.readInt();
                live.levels = readLongs(in);
                for (int m = in.readInt(); m > 0; m--) {
                    SubjectKey key = readSubject(in);
                    Subject subject = new Subject();
                    subject.count = in.readInt();
                    for (int g = 0; g < GRANULARITIES.length; g++) {
                        subject.touched[g] = in.readLong();
                        subject.peak[g] = in.readInt();
                    }
                    live.subjects.put(key, subject);
                }
                grouping.live.put(group, live);
            }
            for (Track track : grouping.tracks) {
                track.current = in.readLong();
                track.open = readCells(in);
                for (int n = in.readInt(); n > 0; n--) track.closed.put(in.readLong(), readCells(in));
            }
        }
        return aggregator;
    }

    private static void writeCells(DataOutputStream out, Map<Group, Cell> cells) throws IOException {
        out.writeInt(cells.size());
        for (Map.Entry<Group, Cell> entry : cells.entrySet()) {
            writeGroup(out, entry.getKey());
            Cell cell = entry.getValue();
            for (long figure : new long[]{cell.started, cell.completed, cell.failed, cell.dismissed, cell.killed,
                    cell.active, cell.peak}) {
                out.writeLong(figure);
            }
            writeLongs(out, Arrays.copyOf(cell.levels, cell.highestLevel() + 1));
        }
    }

    private static Map<Group, Cell> readCells(DataInputStream in) throws IOException {
        Map<Group, Cell> cells = new HashMap<>();
        for (int n = in.readInt(); n > 0; n--) {
            Group group = readGroup(in);
            Cell cell = new Cell();
            cell.started = in.readLong();
            cell.completed = in.readLong();
            cell.failed = in.readLong();
            cell.dismissed = in.readLong();
            cell.killed = in.readLong();
            cell.active = in.readLong();
            cell.peak = in.readLong();
            long[] levels = readLongs(in);
            cell.levels = levels.length < 2 ? Arrays.copyOf(levels, 2) : levels;
            cells.put(group, cell);
        }
        return cells;
    }

    private static void writeLongs(DataOutputStream out, long[] values) throws IOException {
        out.writeInt(values.length);
        for (long value : values) out.writeLong(value);
    }

    private static long[] readLongs(DataInputStream in) throws IOException {
        long[] values = new long[in.readInt()];
        for (int i = 0; i < values.length; i++) values[i] = in.readLong();
        return values;
    }

    private static void writeSubject(DataOutputStream out, SubjectKey subject) throws IOException {
        out.writeUTF(subject.idp());
        out.writeUTF(subject.subject());
    }

    private static SubjectKey readSubject(DataInputStream in) throws IOException {
        return new SubjectKey(in.readUTF(), in.readUTF());
    }

    private static void writeGroup(DataOutputStream out, Group group) throws IOException {
        writeNullable(out, group.tenant());
        writeNullable(out, group.application());
        writeNullable(out, group.platform());
    }

    private static Group readGroup(DataInputStream in) throws IOException {
        return new Group(readNullable(in), readNullable(in), readNullable(in));
    }

    private static void writeNullable(DataOutputStream out, String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) out.writeUTF(value);
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
