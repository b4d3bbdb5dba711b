package io.cm.client;

import java.time.Duration;
import java.util.concurrent.Future;

/**
 * Runs tasks after a delay: heartbeats, retries and reconnect waits all go through it, so that
 * tests can drive time by hand. The clients use one daemon timer thread by default and run each
 * task on a virtual thread of its own, so a task that blocks delays no other.
 */
@FunctionalInterface
public interface Scheduler {

    /** Runs {@code task} once, {@code delay} from now; cancelling the returned future before then skips it. */
    Future<?> schedule(Duration delay, Runnable task);
}
