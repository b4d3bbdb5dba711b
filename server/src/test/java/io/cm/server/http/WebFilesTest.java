package io.cm.server.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The web files are read from the server's jar, as they are when it runs with {@code java -jar}. */
class WebFilesTest {

    @Test
    void filesOfAFolderInsideAJarAreReadWithTheirTypesAndContentHashes(@TempDir Path dir) throws IOException {
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            // With directory entries, as Maven's jar and shade plugins write them.
            for (String folder : new String[] {"web/", "web/js/", "web/demo/", "other/"}) {
                out.putNextEntry(new JarEntry(folder));
                out.closeEntry();
            }
            add(out, "web/js/a.js", "export const a = 1;");
            add(out, "web/demo/page.html", "<!doctype html>");
            add(out, "other/secret.txt", "not web");
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            WebFiles files = WebFiles.load(loader, "web");

            WebFiles.WebFile script = files.get("/js/a.js").orElseThrow();
            assertThat(script.body().toString(StandardCharsets.UTF_8)).isEqualTo("export const a = 1;");
            assertThat(script.contentType()).isEqualTo("text/javascript;charset=utf-8");
            assertThat(script.etag()).matches("\"[A-Za-z0-9_-]{22}\"");
            assertThat(files.get("/demo/page.html").orElseThrow().contentType()).isEqualTo("text/html;charset=utf-8");
            assertThat(files.get("/demo/page.html").orElseThrow().etag()).isNotEqualTo(script.etag());
            assertThat(files.get("/secret.txt")).isEmpty();
            assertThat(files.get("/../other/secret.txt")).isEmpty();
        }
    }

    @Test
    void aClassPathWithoutTheFolderFailsAtStartNamingIt(@TempDir Path dir) throws IOException {
        try (URLClassLoader empty = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertThatThrownBy(() -> WebFiles.load(empty, "web"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("web/");
        }
    }

    private static void add(JarOutputStream jar, String name, String content) throws IOException {
        jar.putNextEntry(new JarEntry(name));
        OutputStream out = jar;
        out.write(content.getBytes(StandardCharsets.UTF_8));
        jar.closeEntry();
    }
}
