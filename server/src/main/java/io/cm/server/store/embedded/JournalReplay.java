package io.cm.server.store.embedded;

import io.cm.server.store.embedded.SubjectStateCodec.SubjectState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;

/**
 * Start-up: hands every record to {@code apply} in journal order, the newest snapshot first, then
 * each segment from its number on; removes what that snapshot replaces (left by a compaction a crash
 * interrupted). A segment whose tail is torn or corrupt (a write cut by a crash or a power loss) is
 * read up to its last good record and truncated there, with one warning; a segment holding no record
 * is removed. Blocking I/O; runs before the server serves.
 */
final class JournalReplay {

    private static final Logger LOG = LoggerFactory.getLogger(JournalReplay.class);
    private static final int QUEUED_BATCHES = 16;

    /**
     * @param records       records applied
     * @param nextSegment   the number the writer's first segment gets
     * @param snapshotBytes size of the snapshot replayed, 0 if none
     * @param segmentBytes  bytes in the segments replayed after it
     */
    record Replayed(long records, long nextSegment, long snapshotBytes, long segmentBytes) {
    }

    private JournalReplay() {
    }

    /**
     * Reads and decodes on a thread of its own while the calling thread applies, in batches: on two
     * cores a restart of a million sessions takes about half as long as on one thread.
     */
    static Replayed replay(JournalDirectory directory, Consumer<SubjectState> apply) throws IOException {
        JournalDirectory.assertNotOnEventLoop();
        BlockingQueue<List<SubjectState>> batches = new ArrayBlockingQueue<>(QUEUED_BATCHES);
        FutureTask<Replayed> reading = new FutureTask<>(() -> {
            try (Batches batching = new Batches(batches)) {
                return read(directory, batching);
            }
        });
        Thread.ofPlatform().name("cm-journal-replay").daemon().start(reading);
        try {
            for (List<SubjectState> batch = batches.take(); batch != Batches.END; batch = batches.take()) {
                batch.forEach(apply);
            }
            return reading.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while replaying the session journal", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException runtime) throw runtime;
            throw new IllegalStateException(e.getCause());
        } finally {
            reading.cancel(true);
        }
    }

    /** Hands records over in batches, then {@link #END}; cheaper than one queue operation per record. */
    private static final class Batches implements Consumer<SubjectState>, AutoCloseable {
        static final List<SubjectState> END = List.of();
        private static final int SIZE = 1024;
        private final BlockingQueue<List<SubjectState>> queue;
        private List<SubjectState> batch = new ArrayList<>(SIZE);

        Batches(BlockingQueue<List<SubjectState>> queue) {
            this.queue = queue;
        }

        @Override
        public void accept(SubjectState record) {
            batch.add(record);
            if (batch.size() == SIZE) {
                put(batch);
                batch = new ArrayList<>(SIZE);
            }
        }

        private void put(List<SubjectState> items) {
            try {
                queue.put(items);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("the replay was abandoned");
            }
        }

        /** Also on failure, so that the applying thread stops waiting. */
        @Override
        public void close() {
            if (!batch.isEmpty()) put(batch);
            put(END);
        }
    }

    private static Replayed read(JournalDirectory directory, Consumer<SubjectState> apply) throws IOException {
        OptionalLong snapshot = directory.latestSnapshot();
        long first = snapshot.orElse(1);
        directory.removeBefore(first);
        long records = 0;
        long snapshotBytes = 0;
        if (snapshot.isPresent()) {
            Path file = directory.snapshot(first);
            JournalFile.Scan scan = JournalFile.read(file, apply);
            scan.fault().ifPresent(fault -> LOG.error("Journal snapshot {} is damaged after {} records ({}); "
                    + "the subjects after that point are lost", file, scan.records(), fault));
            records += scan.records();
            snapshotBytes = scan.validLength();
        }
        long segmentBytes = 0;
        long next = first;
        List<Long> segments = directory.segments();
        for (long number : segments) {
            Path file = directory.segment(number);
            JournalFile.Scan scan = JournalFile.read(file, apply);
            records += scan.records();
            next = number + 1;
            if (scan.fault().isPresent()) {
                LOG.warn("Journal segment {}: {} at byte {}; replayed the {} records before it and cut the rest, "
                        + "{} bytes (a write the process did not finish)", file.getFileName(), scan.fault().get(),
                        scan.validLength(), scan.records(), Files.size(file) - scan.validLength());
            }
            if (scan.records() == 0) {
                Files.delete(file);
            } else {
                if (scan.fault().isPresent()) truncate(file, scan.validLength());
                segmentBytes += scan.validLength();
            }
        }
        directory.sync();
        return new Replayed(records, next, snapshotBytes, segmentBytes);
    }

    private static void truncate(Path file, long length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(length);
            channel.force(true);
        }
    }
}
