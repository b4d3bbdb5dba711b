package io.cm.bench;

import org.HdrHistogram.Histogram;

/**
 * What one measured phase came to; latencies in the histogram are microseconds. {@code otherCores}:
 * CPU that other processes of the machine used meanwhile, in cores (NaN where unknown).
 */
record PhaseResult(String name, int connections, double seconds, Histogram latencyMicros, long non2xx, long errors,
                   double otherCores) {

    long requests() {
        return latencyMicros.getTotalCount();
    }

    double requestsPerSecond() {
        return requests() / seconds;
    }

    double p50Millis() {
        return latencyMicros.getValueAtPercentile(50) / 1000.0;
    }

    double p99Millis() {
        return latencyMicros.getValueAtPercentile(99) / 1000.0;
    }
}
