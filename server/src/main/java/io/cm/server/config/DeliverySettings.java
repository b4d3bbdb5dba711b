package io.cm.server.config;

import java.time.Duration;

/**
 * How session events are kept and delivered on the live streams (YAML section {@code delivery}).
 *
 * @param partitions     visitor partitions of the event log; fixed when the log is first created
 * @param retentionTime  events older than this (by their timestamp) are removed
 * @param retentionCount events kept in all, spread evenly over the partitions
 * @param resumeWindow   how long after its last connection ended a stream still continues from its position
 * @param keepalive      the longest an idle connection goes without a record
 * @param replayMargin   records sent this recently to a connection that ends or loses partitions are sent
 *                       again to the next owner, since the peer may never have read them
 */
public record DeliverySettings(int partitions, Duration retentionTime, long retentionCount, Duration resumeWindow,
                               Duration keepalive, Duration replayMargin) {

    /** The spec's floor: at least as many partitions as the most connections a stream may have. */
    private static final int MIN_PARTITIONS = 8;
    private static final int MAX_PARTITIONS = 256;
    /** SPEC §6: an idle connection gets a record at least every 5 s. */
    private static final Duration MAX_KEEPALIVE = Duration.ofSeconds(5);

    public static final DeliverySettings DEFAULTS = new DeliverySettings(16, Duration.ofHours(1), 1_000_000,
            Duration.ofMinutes(10), MAX_KEEPALIVE, Duration.ofSeconds(10));

    public DeliverySettings {
        if (partitions < MIN_PARTITIONS || partitions > MAX_PARTITIONS) {
            throw new IllegalArgumentException("delivery.partitions " + partitions + " is not in "
                    + MIN_PARTITIONS + ".." + MAX_PARTITIONS);
        }
        if (!retentionTime.isPositive()) throw new IllegalArgumentException("delivery.retention-time must be positive");
        if (retentionCount < partitions) {
            throw new IllegalArgumentException("delivery.retention-count " + retentionCount
                    + " must be at least the number of partitions (" + partitions + ")");
        }
        if (resumeWindow.isNegative()) throw new IllegalArgumentException("delivery.resume-window must not be negative");
        if (keepalive.toMillis() < 100 || keepalive.compareTo(MAX_KEEPALIVE) > 0) {
            throw new IllegalArgumentException("delivery.keepalive " + keepalive + " is not in 100ms..5s");
        }
        if (replayMargin.isNegative()) throw new IllegalArgumentException("delivery.replay-margin must not be negative");
    }

    /** Events kept per partition: the total retention count spread evenly, rounded up. */
    public long retentionPerPartition() {
        return (retentionCount + partitions - 1) / partitions;
    }
}
