package io.cm.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Blocking waits measured by a {@link Scheduler}, so that a test's scheduler decides when they end. */
final class Waits {

    private Waits() {
    }

    /** Returns once {@code delay} has passed on {@code scheduler}'s time. */
    static void sleep(Scheduler scheduler, Duration delay) throws InterruptedException {
        if (delay.isZero() || delay.isNegative()) return;
        CompletableFuture<Void> woken = new CompletableFuture<>();
        Future<?> wake = scheduler.schedule(delay, () -> woken.complete(null));
        try {
            woken.get();
        } catch (InterruptedException e) {
            wake.cancel(false);
            throw e;
        } catch (ExecutionException e) {
            throw new IllegalStateException("a wake-up never fails", e);
        }
    }
}
