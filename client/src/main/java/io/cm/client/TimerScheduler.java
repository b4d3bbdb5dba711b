package io.cm.client;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The default {@link Scheduler}: one daemon timer thread, which runs the (short, non-blocking) tasks itself. */
final class TimerScheduler implements Scheduler, AutoCloseable {

    private final ScheduledExecutorService timer;

    TimerScheduler(String name) {
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name + "-timer");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public Future<?> schedule(Duration delay, Runnable task) {
        return timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
