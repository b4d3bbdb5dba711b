package io.cm.client;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** The blocking waits: a pause measured by a {@link Scheduler}, and the outcome of an asynchronous call. */
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

    /**
     * What {@code call} completes with, or the {@link ConcurrencyException} it fails with. An interrupt
     * cancels the call (its retries stop) and is kept on the thread.
     */
    static <T> T result(CompletableFuture<T> call) throws ConcurrencyException {
        try {
            return call.get();
        } catch (InterruptedException e) {
            call.cancel(false);
            Thread.currentThread().interrupt();
            throw new ConcurrencyException("Interrupted while waiting for the service", OptionalInt.empty(),
                    Optional.empty(), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ConcurrencyException concurrency) throw concurrency;
            if (cause instanceof RuntimeException unchecked) throw unchecked;
            if (cause instanceof Error error) throw error;
            throw new IllegalStateException("a call fails with a ConcurrencyException only", cause);
        }
    }
}
