package io.cm.client;

import java.time.Duration;
import java.util.concurrent.Future;

/**
 * Runs tasks after a delay: heartbeats, retries, reconnect waits and idle checks all go through it, so
 * that tests can drive time by hand. Tasks are short and never block (requests are sent asynchronously,
 * callbacks go to their executor), so one timer thread serves a whole client.
 */
@FunctionalInterface
interface Scheduler {

    /**
     * Runs {@code task} once, {@code delay} from now; cancelling the returned future before then skips it.
     *
     * @throws java.util.concurrent.RejectedExecutionException once the scheduler is closed
     */
    Future<?> schedule(Duration delay, Runnable task);
}
