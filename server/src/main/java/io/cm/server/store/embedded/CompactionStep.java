package io.cm.server.store.embedded;

/**
 * The points a compaction passes, in order. Each leaves a directory that a restart replays to the
 * same states: the step that makes the new snapshot count is one atomic rename.
 */
enum CompactionStep {
    /** A new segment receives every record from now on; the older ones are still all there is. */
    ROLLED,
    /** The snapshot is complete and forced, under its temporary name, which replay ignores. */
    SNAPSHOT_WRITTEN,
    /** Renamed into place: from now on replay starts from it and skips the segments it replaces. */
    SNAPSHOT_INSTALLED,
    /** The replaced segments and snapshots are gone. */
    REPLACED_FILES_REMOVED;

    /** Told of each step as it is reached, on the compaction thread. */
    @FunctionalInterface
    interface Observer {
        Observer NONE = step -> { };

        void reached(CompactionStep step);
    }
}
