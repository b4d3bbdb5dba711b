package io.cm.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Random spreads of waits, so that many clients failing together do not come back together. */
final class Jitter {

    private Jitter() {
    }

    /** {@code delay} plus up to {@code fraction} of it: never sooner than what the server or the policy asked. */
    static Duration atLeast(Duration delay, double fraction) {
        long millis = delay.toMillis();
        return Duration.ofMillis(millis + (long) (millis * fraction * ThreadLocalRandom.current().nextDouble()));
    }

    /** Between half of {@code delay} and all of it ("equal jitter"): for back-off where no one asked for a minimum. */
    static Duration upTo(Duration delay) {
        long half = delay.toMillis() / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }
}
