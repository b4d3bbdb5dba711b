package io.cm.client;


import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;

/**
 * A {@link Scheduler} whose time moves only when a test calls {@link #advance}: due tasks then run on
 * the test's thread, in time order, each with the clocks set to its due time, and each followed by what
 * it set off (see {@link #settlingWith}). The other clocks given to
 * it move by the same steps (e.g. the real server's), so a test can give them different starting times
 * to show that nothing depends on the local clock.
 */
final class ManualScheduler implements Scheduler {

    /** A task as scheduled: its position among all scheduled ones, when it was due and after what delay. */
    record Entry(int sequence, Instant due, Duration delay, FutureTask<Void> task) {
        boolean pending() {
            return !task.isDone();
        }
    }

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final ManualClock time;
    private final Consumer<Duration> alsoMoved;
    private final List<Entry> entries = new ArrayList<>();
    private volatile Runnable settle = () -> { };

    ManualScheduler(ManualClock time) {
        this(time, step -> { });
    }

    /** {@code alsoMoved} moves another clock (e.g. the real server's) by each step of {@code time}. */
    ManualScheduler(ManualClock time, Consumer<Duration> alsoMoved) {
        this.time = time;
        this.alsoMoved = alsoMoved;
    }

    @Override
    public synchronized Future<?> schedule(Duration delay, Runnable task) {
        FutureTask<Void> future = new FutureTask<>(task, null);
        entries.add(new Entry(entries.size(), time.instant().plus(delay), delay, future));
        notifyAll();
        return future;
    }

    /**
     * After each task, {@code settle} returns once what the task set off has finished (e.g. the answer to
     * a request it sent has been handled), so that what follows from it is scheduled before time moves on.
     */
    ManualScheduler settlingWith(Runnable settle) {
        this.settle = settle;
        return this;
    }

    /** Moves time forward by {@code by}, running every task that falls due on the way. */
    void advance(Duration by) {
        Instant target = time.instant().plus(by);
        for (Optional<Entry> next = nextDue(target); next.isPresent(); next = nextDue(target)) {
            next.get().task().run();
            settle.run();
        }
        moveTo(target);
    }

    /** The earliest pending task due by {@code target}, with the clocks moved to its due time. */
    private synchronized Optional<Entry> nextDue(Instant target) {
        Optional<Entry> next = entries.stream().filter(Entry::pending).filter(e -> !e.due().isAfter(target))
                .min(Comparator.comparing(Entry::due).thenComparing(Entry::sequence));
        next.ifPresent(entry -> moveTo(entry.due()));
        return next;
    }

    private void moveTo(Instant instant) {
        Duration step = Duration.between(time.instant(), instant);
        if (step.isNegative() || step.isZero()) return;
        time.advance(step);
        alsoMoved.accept(step);
    }

    /** The delays of the tasks not yet run nor cancelled, in the order they were scheduled. */
    synchronized List<Duration> pendingDelays() {
        return entries.stream().filter(Entry::pending).map(Entry::delay).toList();
    }

    /** How many tasks were ever scheduled: a mark for {@link #awaitEntry}. */
    synchronized int scheduledCount() {
        return entries.size();
    }

    /** The {@code sequence}-th task ever scheduled, waiting for another thread to schedule it if need be. */
    synchronized Entry awaitEntry(int sequence) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (entries.size() <= sequence) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new AssertionError("nothing was scheduled as task #" + sequence + "; scheduled: " + entries);
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        return entries.get(sequence);
    }
}
