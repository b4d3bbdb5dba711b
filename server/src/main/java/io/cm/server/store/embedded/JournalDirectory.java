package io.cm.server.store.embedded;

import io.vertx.core.Context;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * The journal's files in one directory, which this process holds locked while it runs:
 * <ul>
 *   <li>{@code <n>.segment}: records appended in order; numbers increase;</li>
 *   <li>{@code <n>.snapshot}: every subject's state as of the start of segment {@code n}, so that it
 *       replaces all segments and snapshots numbered below {@code n};</li>
 *   <li>{@code <n>.snapshot.tmp}: a snapshot being written; only a renamed one counts.</li>
 * </ul>
 * All methods do blocking file I/O: start-up, the journal's writer and its compaction thread only.
 */
final class JournalDirectory implements AutoCloseable {

    private static final String SEGMENT = ".segment";
    private static final String SNAPSHOT = ".snapshot";
    private static final String TEMPORARY = ".snapshot.tmp";
    private static final String LOCK = "lock";

    private final Path dir;
    private final FileChannel lockFile;
    private final FileLock lock;

    private JournalDirectory(Path dir, FileChannel lockFile, FileLock lock) {
        this.dir = dir;
        this.lockFile = lockFile;
        this.lock = lock;
    }

    /**
     * Creates {@code dir} if needed and locks it for this process.
     *
     * @throws IllegalStateException if another server holds it, or it cannot be created or locked
     */
    static JournalDirectory lock(Path dir) {
        assertNotOnEventLoop();
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) throw new OverlappingFileLockException();
            return new JournalDirectory(dir, channel, lock);
        } catch (OverlappingFileLockException held) {
            closeQuietly(channel);
            throw new IllegalStateException("The session journal " + dir + " is locked: another server is using "
                    + "this data directory. Stop it, or give this one another --data-dir (CM_DATA_DIR).");
        } catch (IOException e) {
            closeQuietly(channel);
            throw new IllegalStateException("Cannot open the session journal " + dir + ": " + e, e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // the lock failed already; that is what gets reported
        }
    }

    static void assertNotOnEventLoop() {
        assert !Context.isOnEventLoopThread() : "journal file I/O on an event loop";
    }

    Path path() {
        return dir;
    }

    Path segment(long number) {
        return dir.resolve(name(number) + SEGMENT);
    }

    Path snapshot(long number) {
        return dir.resolve(name(number) + SNAPSHOT);
    }

    Path temporarySnapshot(long number) {
        return dir.resolve(name(number) + TEMPORARY);
    }

    /** Zero-padded, so that names sort like numbers. */
    private static String name(long number) {
        return String.format("%019d", number);
    }

    /** The numbers of the segments, ascending. */
    List<Long> segments() throws IOException {
        return numbers(SEGMENT);
    }

    /** The number of the newest complete snapshot, if any. */
    OptionalLong latestSnapshot() throws IOException {
        List<Long> snapshots = numbers(SNAPSHOT);
        return snapshots.isEmpty() ? OptionalLong.empty() : OptionalLong.of(snapshots.getLast());
    }

    private List<Long> numbers(String suffix) throws IOException {
        List<Long> numbers = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (!name.endsWith(suffix)) continue;
                String digits = name.substring(0, name.length() - suffix.length());
                if (!digits.isEmpty() && digits.chars().allMatch(Character::isDigit)) numbers.add(Long.parseLong(digits));
            }
        }
        numbers.sort(null);
        return numbers;
    }

    /**
     * Removes what snapshot {@code number} replaces (older segments and snapshots) and every unfinished
     * snapshot. Safe at any moment once that snapshot is in place: a crash in between leaves files the
     * next start removes again.
     */
    void removeBefore(long number) throws IOException {
        for (long segment : segments()) if (segment < number) Files.deleteIfExists(segment(segment));
        for (long snapshot : numbers(SNAPSHOT)) if (snapshot < number) Files.deleteIfExists(snapshot(snapshot));
        for (long temporary : numbers(TEMPORARY)) Files.deleteIfExists(temporarySnapshot(temporary));
        sync();
    }

    /** Makes the finished snapshot at {@code temporary} the snapshot {@code number}, durably. */
    void install(Path temporary, long number) throws IOException {
        Files.move(temporary, snapshot(number), StandardCopyOption.ATOMIC_MOVE);
        sync();
    }

    /** Forces the directory's entries (files created, renamed, removed) to disk. */
    void sync() throws IOException {
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    /** Bytes in the journal's files: what the disk holds for it. */
    long bytes() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(file -> file.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            lockFile.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot release the lock of " + dir, e);
        }
    }
}
