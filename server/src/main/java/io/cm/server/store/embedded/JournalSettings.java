package io.cm.server.store.embedded;

import io.cm.server.config.ServerConfig.Fsync;

import java.time.Duration;

/**
 * How the journal keeps its promises.
 *
 * @param fsync              when written records are forced to disk
 * @param fsyncInterval      with {@link Fsync#INTERVAL}, the longest a written record waits to be forced
 * @param compactionMinBytes a snapshot is taken once the segments written since the last one hold this
 *                           many bytes, or as many as that snapshot if it is larger: the disk then holds
 *                           at most about three snapshots' worth, O(active sessions), whatever the history
 */
record JournalSettings(Fsync fsync, Duration fsyncInterval, long compactionMinBytes) {

    static final Duration FSYNC_INTERVAL = Duration.ofSeconds(1);
    static final long COMPACTION_MIN_BYTES = 64L << 20;

    static JournalSettings of(Fsync fsync) {
        return new JournalSettings(fsync, FSYNC_INTERVAL, COMPACTION_MIN_BYTES);
    }
}
