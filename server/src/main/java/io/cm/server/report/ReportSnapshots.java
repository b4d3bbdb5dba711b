package io.cm.server.report;

import io.cm.core.report.Granularity;
import io.cm.core.report.UsageAggregator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The usage figures on disk, {@code <data-dir>/reports/usage.bin.gz}: the whole aggregator state and
 * where its event feed stood when it was taken (partition → next offset; empty when events are
 * handed over as they are appended), gzip-compressed, replaced atomically (written beside, forced, renamed). A file that cannot be
 * read is moved aside and the reports start empty, rather than the server not starting.
 */
final class ReportSnapshots {

    private static final Logger LOG = LoggerFactory.getLogger(ReportSnapshots.class);
    static final String DIRECTORY = "reports";
    static final String FILE = "usage.bin.gz";

    private final Path file;

    ReportSnapshots(Path dataDir) {
        this.file = dataDir.resolve(DIRECTORY).resolve(FILE);
    }

    /** The figures and the feed's positions they include. */
    record Snapshot(UsageAggregator aggregator, Map<Integer, Long> positions) {
        Snapshot {
            positions = Map.copyOf(positions);
        }
    }

    Optional<Snapshot> load(Map<Granularity, Long> retention, long staleAfter) {
        if (!Files.exists(file)) return Optional.empty();
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            DataInputStream data = new DataInputStream(in);
            UsageAggregator aggregator = UsageAggregator.readFrom(data, retention, staleAfter);
            Map<Integer, Long> positions = new HashMap<>();
            for (int count = data.readInt(); count > 0; count--) positions.put(data.readInt(), data.readLong());
            return Optional.of(new Snapshot(aggregator, positions));
        } catch (IOException | RuntimeException e) {
            Path aside = file.resolveSibling(FILE + ".unreadable-" + System.currentTimeMillis());
            LOG.error("The usage report figures in {} cannot be read ({}); moved to {}, reports start empty",
                    file, e.toString(), aside);
            try {
                Files.move(file, aside);
            } catch (IOException moveFailed) {
                throw new UncheckedIOException("Cannot move the unreadable " + file + " aside", moveFailed);
            }
            return Optional.empty();
        }
    }

    /** Writes the figures; blocks on disk I/O (report thread only). */
    void save(UsageAggregator aggregator, Map<Integer, Long> positions) throws IOException {
        Files.createDirectories(file.getParent());
        Path written = file.resolveSibling(FILE + ".new");
        try (OutputStream out = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(written)), 65536)) {
            DataOutputStream data = new DataOutputStream(out);
            aggregator.writeTo(data);
            data.writeInt(positions.size());
            for (Map.Entry<Integer, Long> position : positions.entrySet()) {
                data.writeInt(position.getKey());
                data.writeLong(position.getValue());
            }
            data.flush();
        }
        try (FileChannel channel = FileChannel.open(written, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        try {
            Files.move(written, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(written, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
