package io.cm.server.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files and directories that hold secrets (keys, tokens) or subscribers' data, readable by the
 * server's user only: directories 0700, files 0600, set when they are created rather than
 * afterwards, so that no other user can open them in between. On a file system without POSIX
 * permissions they are created with its defaults.
 */
public final class OwnerOnlyFiles {

    private static final Logger LOG = LoggerFactory.getLogger(OwnerOnlyFiles.class);
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private OwnerOnlyFiles() {
    }

    /** Creates {@code dir} and its missing parents; the ones created here are 0700. */
    public static void createDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (Files.isDirectory(absolute)) return;
        Path parent = absolute.getParent();
        if (parent != null) createDirectories(parent);
        try {
            Files.createDirectory(absolute, attributes(absolute.getParent(), DIRECTORY));
        } catch (FileAlreadyExistsException raced) {
            if (!Files.isDirectory(absolute)) throw raced;
        }
    }

    /** Writes a new file readable by the owner only; fails if it exists. */
    public static void createFile(Path file, byte[] content) throws IOException {
        Files.write(Files.createFile(file, attributes(file.toAbsolutePath().getParent(), FILE)), content,
                StandardOpenOption.WRITE);
    }

    /** Takes group and other permissions away from an existing secret file, and says so. */
    public static void restrict(Path file) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) return;
        Set<PosixFilePermission> current = view.readAttributes().permissions();
        if (FILE.containsAll(current)) return;
        view.setPermissions(FILE);
        LOG.warn("{} was readable by other users ({}); it is now owner-only (rw-------)", file,
                PosixFilePermissions.toString(current));
    }

    private static FileAttribute<?>[] attributes(Path parent, Set<PosixFilePermission> permissions) {
        boolean posix = parent != null && Files.getFileAttributeView(parent, PosixFileAttributeView.class) != null;
        return posix ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(permissions)} : new FileAttribute<?>[0];
    }
}
