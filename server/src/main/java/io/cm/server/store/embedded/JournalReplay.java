package io.cm.server.store.embedded;

import io.cm.server.store.embedded.SubjectStateCodec.SubjectState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.OptionalLong;
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

    static Replayed replay(JournalDirectory directory, Consumer<SubjectState> apply) throws IOException {
        JournalDirectory.assertNotOnEventLoop();
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
