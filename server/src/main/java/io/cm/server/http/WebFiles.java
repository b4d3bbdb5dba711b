package io.cm.server.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.MimeMapping;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The files of a class-path folder, read once when the server starts (from the jar, or from a directory in
 * development) and then served from memory: a request never touches the disk on the event loop, and a missing
 * file is decided by a map lookup, so no path can climb out of the folder. The ETag is a hash of the bytes,
 * the same on every node and across restarts.
 */
final class WebFiles {

    /** One file: its bytes, its {@code Content-Type} and its strong ETag. */
    record WebFile(Buffer body, String contentType, String etag) {
    }

    private final Map<String, WebFile> files;

    private WebFiles(Map<String, WebFile> files) {
        this.files = Map.copyOf(files);
    }

    /** Every file under {@code folder} of {@code loader}'s class path, by URL path ({@code /js/cm-client.js}). */
    static WebFiles load(ClassLoader loader, String folder) {
        URL url = loader.getResource(folder);
        if (url == null) throw new IllegalStateException("the web files (" + folder + "/) are missing from the class path");
        try {
            URI uri = url.toURI();
            if (!"jar".equals(uri.getScheme())) return new WebFiles(read(Path.of(uri)));
            try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                return new WebFiles(read(jar.provider().getPath(uri)));
            } catch (FileSystemAlreadyExistsException open) {
                return new WebFiles(read(FileSystems.getFileSystem(uri).provider().getPath(uri)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the web files (" + folder + "/) cannot be read", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the web files' location is not a URI: " + url, e);
        }
    }

    Optional<WebFile> get(String path) {
        return Optional.ofNullable(files.get(path));
    }

    private static Map<String, WebFile> read(Path root) throws IOException {
        Map<String, WebFile> files = new HashMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path file : (Iterable<Path>) paths.filter(Files::isRegularFile)::iterator) {
                StringBuilder path = new StringBuilder();
                root.relativize(file).forEach(segment -> path.append('/').append(segment));
                byte[] bytes = Files.readAllBytes(file);
                files.put(path.toString(), new WebFile(Buffer.buffer(bytes), contentType(path.toString()), etag(bytes)));
            }
        }
        return files;
    }

    private static String contentType(String path) {
        String type = MimeMapping.mimeTypeForFilename(path);
        if (type == null) return "application/octet-stream";
        return type.startsWith("text/") ? type + ";charset=utf-8" : type;
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
            return '"' + Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 22) + '"';
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
