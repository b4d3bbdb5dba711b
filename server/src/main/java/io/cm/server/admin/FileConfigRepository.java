package io.cm.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cm.server.config.ManagedConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The admin API's changes in the data directory, {@code <data-dir>/admin/}: {@code config.json},
 * replaced atomically (written beside, forced to disk, renamed over the old one), and
 * {@code audit.jsonl}, one JSON entry per line, appended and forced after the change it records.
 * Both are owner-only: the configuration holds application secrets and stream tokens. The newest
 * {@value #KEPT_IN_MEMORY} audit entries are also kept in memory for {@link #audit}.
 */
public final class FileConfigRepository implements ConfigRepository {

    static final String DIRECTORY = "admin";
    private static final int KEPT_IN_MEMORY = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path config;
    private final Path auditFile;
    private final Deque<AuditEntry> recent = new ArrayDeque<>();

    private FileConfigRepository(Path directory) {
        this.config = directory.resolve("config.json");
        this.auditFile = directory.resolve("audit.jsonl");
    }

    public static FileConfigRepository open(Path dataDir) {
        Path directory = dataDir.resolve(DIRECTORY);
        FileConfigRepository repository = new FileConfigRepository(directory);
        try {
            Files.createDirectories(directory);
            if (Files.exists(repository.auditFile)) {
                for (String line : Files.readAllLines(repository.auditFile, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) repository.remember(JSON.readValue(line, AuditEntry.class));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the admin directory " + directory, e);
        }
        return repository;
    }

    private void remember(AuditEntry entry) {
        recent.addFirst(entry);
        if (recent.size() > KEPT_IN_MEMORY) recent.removeLast();
    }

    @Override
    public synchronized Optional<ManagedConfig> load() {
        if (!Files.exists(config)) return Optional.empty();
        try {
            return Optional.of(ManagedConfig.bind(JSON.readTree(config.toFile()), ManagedConfig.class).map(c -> c,
                    problems -> {
                        throw new IllegalStateException("The admin configuration " + config + " cannot be read: "
                                + problems);
                    }));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the admin configuration " + config, e);
        }
    }

    @Override
    public synchronized boolean replace(String expectedEtag, ManagedConfig next, AuditEntry audit) {
        Optional<ManagedConfig> stored = load();
        if (stored.isPresent() && !stored.get().etag().equals(expectedEtag)) return false;
        Path written = config.resolveSibling(config.getFileName() + ".new");
        try {
            Files.deleteIfExists(written);
            write(written, JSON.writeValueAsBytes(next.toJson()), false);
            try {
                Files.move(written, config, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(written, config, StandardCopyOption.REPLACE_EXISTING);
            }
            forceDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the admin configuration " + config, e);
        }
        append(audit);
        return true;
    }

    @Override
    public synchronized void append(AuditEntry audit) {
        try {
            byte[] line = (JSON.writeValueAsString(audit) + "\n").getBytes(StandardCharsets.UTF_8);
            write(auditFile, line, true);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot append to the audit trail " + auditFile, e);
        }
        remember(audit);
    }

    /** Writes {@code bytes} to {@code file} (created owner-only), at its end if {@code append}, and forces them to disk. */
    private static void write(Path file, byte[] bytes, boolean append) throws IOException {
        if (!Files.exists(file)) {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
        }
        try (FileChannel channel = append ? FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
                : FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) channel.write(buffer);
            channel.force(true);
        }
    }

    /** Makes the rename itself durable (a directory entry); not every platform lets a directory be opened. */
    private void forceDirectory() {
        try (FileChannel directory = FileChannel.open(config.getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // The rename is atomic anyway; only its durability across a power cut is left to the OS.
        }
    }

    @Override
    public synchronized List<AuditEntry> audit(int limit) {
        return recent.stream().limit(limit).toList();
    }

    @Override
    public void watch(Runnable changed) {
        // One node per data directory: every change is made here.
    }

    @Override
    public void close() {
        // Every write was forced when made.
    }
}
