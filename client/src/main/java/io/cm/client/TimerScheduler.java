package io.cm.client;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default {@link Scheduler}: one daemon timer thread that hands each due task to a pool of daemon
 * threads, so that a task that blocks (a heartbeat waiting for its answer, a listener) delays no other.
 */
final class TimerScheduler implements Scheduler, AutoCloseable {

    private final ScheduledExecutorService timer;
    private final ExecutorService tasks;

    TimerScheduler(String name) {
        this.timer = Executors.newSingleThreadScheduledExecutor(daemons(name + "-timer"));
        this.tasks = Executors.newCachedThreadPool(daemons(name));
    }

    private static ThreadFactory daemons(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public Future<?> schedule(Duration delay, Runnable task) {
        return timer.schedule(() -> tasks.execute(task), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        tasks.shutdown();
    }
}
