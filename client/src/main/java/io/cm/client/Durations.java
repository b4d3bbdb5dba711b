package io.cm.client;

import java.time.Duration;
import java.util.Objects;

/** Checks of the durations the builders take. */
final class Durations {

    private Durations() {
    }

    /** {@code duration}, if it is positive. */
    static Duration positive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) throw new IllegalArgumentException(name + " must be positive: " + duration);
        return duration;
    }
}
