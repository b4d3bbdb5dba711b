package io.cm.server.store.embedded;

import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Keeps the journal's disk use proportional to the active sessions, not to the history: once the
 * writer has rolled to segment {@code n}, writes snapshot {@code n} (every subject's current state)
 * on its own thread, then removes the segments and snapshots it replaces.
 *
 * <p>Why a snapshot read from the live store while it keeps changing is correct. Replay applies the
 * snapshot, then segments {@code n, n+1, …} in order; each record holds a subject's whole state and
 * one subject's records are in commit order, so per subject the last record applied wins. The
 * snapshot reads each subject inside its atomic step, after the roll. A change committed after that
 * read was enqueued after the roll: its record is in segment {@code n} or later and replays after
 * the snapshot. A change whose record is in a segment below {@code n} was enqueued, inside its step,
 * before the roll, so its step was over before the read: the read sees it or a later change. So the
 * last record applied per subject is its last change, exactly as without the snapshot. A subject the
 * iteration misses was absent (nothing left) at some moment after the roll: its last change before
 * that moment emptied it, and every later change replays from segment {@code n} on, so replay ends in
 * the same state. Heartbeat times are never journaled: a restart gives every session a full lifetime.
 *
 * <p>Crash safety: the snapshot is written under a temporary name, forced, then renamed in one atomic
 * step (and the directory forced); only then are replaced files removed. See {@link CompactionStep}.
 */
final class Compaction implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Compaction.class);
    private static final int FLUSH_BYTES = 1 << 20;

    private final JournalDirectory directory;
    private final Consumer<BiConsumer<SubjectKey, SubjectSessions>> currentStates;
    private final CompactionStep.Observer observer;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("cm-journal-compaction").daemon().factory());
    private volatile CompletableFuture<Void> last = CompletableFuture.completedFuture(null);
    private volatile long snapshotBytes;
    private volatile boolean closing;

    /**
     * @param currentStates hands every subject's current state to its argument, each read inside the
     *                      subject's atomic step
     * @param snapshotBytes the size of the snapshot in place, 0 if none
     */
    Compaction(JournalDirectory directory, Consumer<BiConsumer<SubjectKey, SubjectSessions>> currentStates,
               CompactionStep.Observer observer, long snapshotBytes) {
        this.directory = directory;
        this.currentStates = currentStates;
        this.observer = observer;
        this.snapshotBytes = snapshotBytes;
    }

    boolean running() {
        return !last.isDone();
    }

    /** The size of the newest snapshot, which sets when the next one is due. */
    long snapshotBytes() {
        return snapshotBytes;
    }

    /** The running or last compaction. */
    CompletableFuture<Void> last() {
        return last;
    }

    /** Writer thread only, right after it rolled to segment {@code number}: snapshots as of that segment. */
    CompletableFuture<Void> start(long number) {
        try {
            last = CompletableFuture.runAsync(() -> compact(number), thread);
        } catch (RejectedExecutionException closed) {
            return CompletableFuture.failedFuture(new CancellationException("the journal is closing"));
        }
        return last;
    }

    private void compact(long number) {
        JournalDirectory.assertNotOnEventLoop();
        long started = System.nanoTime();
        Path temporary = directory.temporarySnapshot(number);
        try {
            observer.reached(CompactionStep.ROLLED);
            long[] counts = write(temporary);
            observer.reached(CompactionStep.SNAPSHOT_WRITTEN);
            directory.install(temporary, number);
            observer.reached(CompactionStep.SNAPSHOT_INSTALLED);
            directory.removeBefore(number);
            observer.reached(CompactionStep.REPLACED_FILES_REMOVED);
            snapshotBytes = counts[1];
            LOG.info("Journal snapshot {} written: {} subjects, {} bytes, in {} ms; older files removed", number,
                    counts[0], counts[1], (System.nanoTime() - started) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temporary);
            if (closing) throw new CancellationException("server closing");
            LOG.warn("Journal snapshot {} failed; the segments stay and a later one retries: {}", number, e.toString());
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** Returns {subjects, bytes}. */
    private long[] write(Path temporary) throws IOException {
        RecordBuffer buffer = new RecordBuffer(2 * FLUSH_BYTES);
        long[] counts = {0, JournalFile.HEADER};
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            JournalFile.writeFully(out, JournalFile.header());
            currentStates.accept((subject, state) -> {
                if (closing) throw new CancellationException("server closing");
                if (state.isEmpty()) return;
                buffer.beginFrame();
                SubjectStateCodec.encode(subject, state, buffer);
                buffer.endFrame();
                counts[0]++;
                if (buffer.size() >= FLUSH_BYTES) counts[1] += flush(out, buffer);
            });
            counts[1] += flush(out, buffer);
            out.force(true);
        }
        return counts;
    }

    private static int flush(FileChannel out, RecordBuffer buffer) {
        int size = buffer.size();
        try {
            JournalFile.writeFully(out, buffer.contents());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        buffer.clear();
        return size;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("Cannot remove {}; the next start removes it: {}", file, e.toString());
        }
    }

    /** Abandons a snapshot being written (the next start or compaction does it again) and ends the thread. */
    @Override
    public void close() {
        JournalDirectory.assertNotOnEventLoop();
        closing = true;
        thread.shutdown();
        try {
            if (!thread.awaitTermination(30, TimeUnit.SECONDS)) LOG.warn("Journal compaction did not stop in 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
