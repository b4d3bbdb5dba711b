package io.cm.server.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the embedded log keeps beside its partitions, in {@code <dataDir>/events/}: the partition
 * count it was created with ({@code partitions}), the tenants that ever had an event
 * ({@code tenants}, one JSON string a line, appended) and the stream positions ({@code positions},
 * a JSON object replaced whole by an atomic rename, so a crash leaves the old or the new one).
 * Written by the log's writer thread only.
 */
final class LogDirectory {

    static final String NAME = "events";
    private static final Logger LOG = LoggerFactory.getLogger(LogDirectory.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, StreamPosition>> POSITIONS = new TypeReference<>() {
    };

    private final Path dir;
    private final int partitions;

    private LogDirectory(Path dir, int partitions) {
        this.dir = dir;
        this.partitions = partitions;
    }

    /**
     * Opens (or creates) the directory in {@code dataDir}. A log keeps the partition count it was
     * created with, since its records and positions are placed by it; a different configured count
     * is reported and ignored.
     */
    static LogDirectory open(Path dataDir, int configuredPartitions) {
        Path dir = dataDir.resolve(NAME);
        try {
            Files.createDirectories(dir);
            if (Files.exists(dataDir.resolve("events.mv"))) {
                LOG.warn("{} is the event log of an earlier version and is no longer read; it can be removed",
                        dataDir.resolve("events.mv"));
            }
            Path countFile = dir.resolve("partitions");
            int partitions = configuredPartitions;
            if (Files.exists(countFile)) {
                partitions = Integer.parseInt(Files.readString(countFile).trim());
                if (partitions != configuredPartitions) {
                    LOG.warn("delivery.partitions is {} but the event log in {} was created with {}; keeping {} "
                            + "(remove {} to start a new log)", configuredPartitions, dir, partitions, partitions, dir);
                }
            } else {
                Files.writeString(countFile, partitions + "\n");
            }
            return new LogDirectory(dir, partitions);
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("Cannot open the event log in " + dir + ": " + e, e);
        }
    }

    int partitions() {
        return partitions;
    }

    Path partition(int partition) {
        return dir.resolve(String.format("%03d", partition));
    }

    Set<String> tenants() {
        Path file = dir.resolve("tenants");
        Set<String> tenants = new HashSet<>();
        if (!Files.exists(file)) return tenants;
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                try {
                    tenants.add(JSON.readValue(line, String.class));
                } catch (JsonProcessingException torn) {
                    // A line cut by a crash: that tenant is written again with its next event.
                }
            }
            return tenants;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    void addTenant(String tenant) throws IOException {
        Files.writeString(dir.resolve("tenants"), JSON.writeValueAsString(tenant) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    Map<String, StreamPosition> positions() {
        Path file = dir.resolve("positions");
        if (!Files.exists(file)) return Map.of();
        try {
            return JSON.readValue(file.toFile(), POSITIONS);
        } catch (IOException e) {
            LOG.warn("Cannot read the stream positions in {} ({}); streams start at the end", file, e.toString());
            return Map.of();
        }
    }

    void savePositions(Map<String, StreamPosition> positions) throws IOException {
        Path temporary = dir.resolve("positions.tmp");
        Files.write(temporary, JSON.writeValueAsBytes(positions));
        Files.move(temporary, dir.resolve("positions"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
