package io.cm.client;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The default {@link Scheduler}: one daemon timer thread that starts each due task on a virtual thread. */
final class TimerScheduler implements Scheduler, AutoCloseable {

    private final ScheduledExecutorService timer;
    private final String name;

    TimerScheduler(String name) {
        this.name = name;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name + "-timer");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public Future<?> schedule(Duration delay, Runnable task) {
        // A listener may block (e.g. retry a start after a dismissal): it must not hold up the timer.
        return timer.schedule(() -> Thread.ofVirtual().name(name).start(task), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
