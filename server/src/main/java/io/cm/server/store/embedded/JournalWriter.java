package io.cm.server.store.embedded;

import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.core.store.StoreUnavailableException;
import io.cm.server.config.ServerConfig.Fsync;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Appends subjects' states to the journal's current segment, on one thread of its own.
 *
 * <p>Appenders (event loops, inside a subject's atomic step) only enqueue and get a stage. The
 * writer takes whatever is queued (up to {@value #MAX_BATCH} records), encodes it into one buffer,
 * hands it to the operating system with one {@code write()} and only then completes the stages: an
 * acknowledged change is in the OS page cache, which survives a crash of this process. Forcing it to
 * the device follows {@link JournalSettings#fsync()}: {@code ALWAYS} before completing the stages,
 * {@code INTERVAL} at most {@link JournalSettings#fsyncInterval()} after a write (an idle writer
 * wakes up for it), {@code NEVER} when the OS decides. Closing and rolling always force.
 *
 * <p>When the segments written since the last snapshot outgrow it, the writer rolls to a new segment
 * and starts a {@link Compaction}. A failed write leaves the segment's end unknown, so the journal
 * then refuses every later append (503 to the caller, not ready in {@code /health}) rather than
 * acknowledge what a restart might not read back.
 */
final class JournalWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JournalWriter.class);
    private static final int MAX_BATCH = 4096;

    private sealed interface Task {
    }

    private record Append(SubjectKey subject, SubjectSessions state, CompletableFuture<Void> written) implements Task {
    }

    private record Flush(CompletableFuture<Void> done) implements Task {
    }

    private record Compact(CompletableFuture<Void> done) implements Task {
    }

    private record Stop() implements Task {
    }

    private final LinkedBlockingQueue<Task> queue = new LinkedBlockingQueue<>();
    private final JournalDirectory directory;
    private final JournalSettings settings;
    private final Clock clock;
    private final Compaction compaction;
    private final Thread thread;
    private final AtomicLong forces = new AtomicLong();
    private volatile Throwable failure;
    private volatile boolean closed;

    // Writer thread only.
    private final RecordBuffer buffer = new RecordBuffer(1 << 20);
    private final List<Task> batch = new ArrayList<>(MAX_BATCH);
    private final List<CompletableFuture<Void>> written = new ArrayList<>(MAX_BATCH);
    private FileChannel segment;
    private long segmentNumber;
    private boolean unforced;
    private long lastForce;
    private long bytesSinceSnapshot;

    private JournalWriter(JournalDirectory directory, JournalSettings settings, Clock clock, Compaction compaction,
                          long bytesSinceSnapshot) {
        this.directory = directory;
        this.settings = settings;
        this.clock = clock;
        this.compaction = compaction;
        this.bytesSinceSnapshot = bytesSinceSnapshot;
        this.lastForce = clock.millis();
        this.thread = Thread.ofPlatform().name("cm-journal-writer").daemon().unstarted(this::run);
    }

    /**
     * Opens segment {@code number} (new) and starts the writer thread. Blocking I/O; start-up only.
     *
     * @param bytesSinceSnapshot bytes in the segments after the newest snapshot, which count toward the next
     */
    static JournalWriter start(JournalDirectory directory, JournalSettings settings, Clock clock,
                               Compaction compaction, long number, long bytesSinceSnapshot) throws IOException {
        JournalWriter writer = new JournalWriter(directory, settings, clock, compaction, bytesSinceSnapshot);
        writer.openSegment(number);
        writer.thread.start();
        return writer;
    }

    /** Any thread, never blocks: the stage completes once {@code state} is written (and forced, if the policy says so). */
    CompletionStage<Void> append(SubjectKey subject, SubjectSessions state) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        return enqueue(new Append(subject, state, written), written);
    }

    /** Completes once everything appended before is written, and forced if the policy wants it by now. */
    CompletionStage<Void> flush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        return enqueue(new Flush(done), done);
    }

    /** Rolls to a new segment and snapshots now; completes when the snapshot is in place and older files are gone. */
    CompletionStage<Void> compact() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        return enqueue(new Compact(done), done);
    }

    private CompletionStage<Void> enqueue(Task task, CompletableFuture<Void> stage) {
        Throwable failed = failure;
        if (failed != null) return CompletableFuture.failedFuture(unavailable(failed));
        if (closed) return CompletableFuture.failedFuture(new StoreUnavailableException("the session journal is closed"));
        queue.add(task);
        return stage;
    }

    /** Whether appends are accepted: false once a write failed. */
    boolean healthy() {
        return failure == null && !closed;
    }

    /** How many times a segment was forced to disk; for tests of the fsync policy. */
    long forces() {
        return forces.get();
    }

    private void run() {
        try {
            compactIfDue(); // what was replayed may be due already
        } catch (Throwable e) {
            fail(e);
        }
        boolean running = true;
        while (running) {
            batch.clear();
            Task first = next();
            if (first != null) {
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
            }
            running = process();
        }
        failLeftovers();
    }

    /** The next task, or null when a due force woke the writer. */
    private Task next() {
        try {
            if (!unforced || settings.fsync() != Fsync.INTERVAL) return queue.take();
            long wait = lastForce + settings.fsyncInterval().toMillis() - clock.millis();
            return wait <= 0 ? queue.poll() : queue.poll(wait, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            return new Stop();
        }
    }

    /** Handles one batch; false once it held the stop. */
    private boolean process() {
        boolean stop = false;
        for (Task task : batch) stop |= task instanceof Stop;
        Throwable failed = failure;
        if (failed != null) {
            failBatch(failed);
        } else {
            try {
                write(stop);
            } catch (Throwable e) { // whatever it is, the callers must get an answer
                fail(e);
            }
        }
        if (stop) closeSegment();
        return !stop;
    }

    private void write(boolean stop) throws IOException {
        written.clear();
        for (Task task : batch) {
            switch (task) {
                case Append append -> encode(append);
                case Flush flush -> written.add(flush.done());
                case Compact compact -> {
                    writeOut();
                    startCompaction().whenComplete((ok, error) -> complete(compact.done(), error));
                }
                case Stop ignored -> { }
            }
        }
        writeOut();
        if (stop || forceDue()) force();
        // Before the stages complete, so that whoever waits on them sees the compaction they made due.
        if (!stop) compactIfDue();
        for (CompletableFuture<Void> stage : written) stage.complete(null);
    }

    /** Starts a compaction when the segments since the last snapshot have outgrown it (and the minimum). */
    private void compactIfDue() throws IOException {
        if (!compaction.running()
                && bytesSinceSnapshot >= Math.max(settings.compactionMinBytes(), compaction.snapshotBytes())) {
            startCompaction();
        }
    }

    private void encode(Append append) {
        buffer.beginFrame();
        try {
            SubjectStateCodec.encode(append.subject(), append.state(), buffer);
        } catch (RuntimeException e) {
            buffer.abandonFrame();
            append.written().completeExceptionally(e);
            return;
        }
        buffer.endFrame();
        written.add(append.written());
    }

    /** One write of everything encoded since the last. */
    private void writeOut() throws IOException {
        if (buffer.size() == 0) return;
        JournalDirectory.assertNotOnEventLoop();
        JournalFile.writeFully(segment, buffer.contents());
        bytesSinceSnapshot += buffer.size();
        unforced = true;
        buffer.clear();
    }

    private boolean forceDue() {
        return switch (settings.fsync()) {
            case ALWAYS -> true;
            case NEVER -> false;
            case INTERVAL -> {
                long elapsed = clock.millis() - lastForce;
                yield elapsed >= settings.fsyncInterval().toMillis() || elapsed < 0;
            }
        };
    }

    /** Forces the segment's written records to disk; waits on the device. Writer thread only. */
    private void force() throws IOException {
        JournalDirectory.assertNotOnEventLoop();
        if (!unforced) return;
        segment.force(false);
        forces.incrementAndGet();
        unforced = false;
        lastForce = clock.millis();
    }

    /** Rolls to a new segment and hands the snapshot as of it to the compaction thread. */
    private CompletableFuture<Void> startCompaction() throws IOException {
        if (compaction.running()) return compaction.last();
        force();
        segment.close();
        openSegment(segmentNumber + 1);
        bytesSinceSnapshot = 0;
        return compaction.start(segmentNumber);
    }

    private void openSegment(long number) throws IOException {
        segment = FileChannel.open(directory.segment(number), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        JournalFile.writeFully(segment, JournalFile.header());
        directory.sync();
        segmentNumber = number;
    }

    private void closeSegment() {
        try {
            segment.close();
        } catch (IOException e) {
            LOG.warn("Closing journal segment {}: {}", segmentNumber, e.toString());
        }
    }

    /** Every stage of the batch fails, and every later append: the segment's end is no longer known. */
    private void fail(Throwable e) {
        failure = e;
        LOG.error("The session journal cannot be written ({}); changes are refused from now on (503) until a restart",
                e.toString(), e);
        failBatch(e);
    }

    private void failBatch(Throwable cause) {
        StoreUnavailableException unavailable = unavailable(cause);
        for (Task task : batch) failTask(task, unavailable);
    }

    /** Fails the task's stage unless it completed already. */
    private static void failTask(Task task, RuntimeException error) {
        switch (task) {
            case Append append -> append.written().completeExceptionally(error);
            case Flush flush -> flush.done().completeExceptionally(error);
            case Compact compact -> compact.done().completeExceptionally(error);
            case Stop ignored -> { }
        }
    }

    private static StoreUnavailableException unavailable(Throwable cause) {
        return new StoreUnavailableException("the session journal cannot be written: " + cause, cause);
    }

    private static void complete(CompletableFuture<Void> stage, Throwable error) {
        if (error == null) stage.complete(null);
        else stage.completeExceptionally(error);
    }

    /** What was enqueued after the stop: refused, as the journal is closed. */
    private void failLeftovers() {
        StoreUnavailableException closedNow = new StoreUnavailableException("the session journal is closed");
        for (Task task = queue.poll(); task != null; task = queue.poll()) failTask(task, closedNow);
    }

    /** Writes and forces everything appended so far, then stops the thread. Blocks until it has. */
    @Override
    public void close() {
        JournalDirectory.assertNotOnEventLoop();
        closed = true;
        queue.add(new Stop());
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // An append that saw the journal open just before the close may have come after the writer's last look.
        failLeftovers();
    }
}
