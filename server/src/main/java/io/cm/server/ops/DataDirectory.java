package io.cm.server.ops;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The data directory the embedded store, the event log and the session id key live in. Checked
 * before anything opens a file in it, so that a directory the server cannot use stops start-up
 * with its real cause instead of failing the first request that writes.
 */
public final class DataDirectory {

    private static final String PROBE_PREFIX = ".cm-write-check";

    private DataDirectory() {
    }

    /**
     * Creates {@code dir} (owner-only) when missing and checks that this process can create files in it.
     *
     * @throws StartupFailure naming the directory and why it cannot be used
     */
    public static void prepare(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new StartupFailure("data directory " + dir + " is not a directory (--data-dir / CM_DATA_DIR)");
        }
        try {
            OwnerOnlyFiles.createDirectories(dir);
        } catch (IOException e) {
            throw new StartupFailure("cannot create the data directory " + dir + ": " + reason(e)
                    + " (--data-dir / CM_DATA_DIR)");
        }
        if (!writable(dir)) {
            throw new StartupFailure("data directory " + dir + " is not writable by this user ("
                    + System.getProperty("user.name") + "); fix its permissions or choose another (--data-dir / CM_DATA_DIR)");
        }
    }

    /** Whether a file can be created in {@code dir} now; does file I/O, so not on an event loop. */
    public static boolean writable(Path dir) {
        try {
            Files.delete(Files.createTempFile(dir, PROBE_PREFIX, null));
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    private static String reason(IOException e) {
        if (e instanceof FileAlreadyExistsException exists) return exists.getFile() + " exists and is not a directory";
        if (e instanceof AccessDeniedException denied) return "permission denied on " + denied.getFile();
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason().toLowerCase() + (fs.getFile() == null ? "" : " (" + fs.getFile() + ")");
        }
        return e.toString();
    }
}
