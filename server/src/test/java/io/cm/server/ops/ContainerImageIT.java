package io.cm.server.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The container image Maven built without a Docker daemon (profile {@code image}, run by the build
 * after {@code package}): its configuration starts the server, and its application layers, unpacked,
 * run it. The JDK of the build stands in for the base image's Java, which the test build leaves out.
 */
class ContainerImageIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theImageStartsTheServerFromItsOwnLayers() throws Exception {
        Path tar = Path.of(System.getProperty("cm.image.tar"));
        assertThat(tar).isRegularFile();
        Path image = Files.createDirectories(dir.resolve("image"));
        run(List.of("tar", "-xf", tar.toString(), "-C", image.toString()));
        JsonNode manifest = JSON.readTree(image.resolve("manifest.json").toFile()).get(0);
        assertThat(manifest.path("RepoTags").get(0).asText()).isEqualTo("cm-server:" + System.getProperty("cm.version"));
        JsonNode config = JSON.readTree(image.resolve(manifest.path("Config").asText()).toFile()).path("config");

        List<String> entrypoint = new ArrayList<>();
        config.path("Entrypoint").forEach(part -> entrypoint.add(part.asText()));
        assertThat(entrypoint).containsExactly("java", "-cp", "@/app/jib-classpath-file", "io.cm.server.Main");
        assertThat(config.path("ExposedPorts").has("8080/tcp")).isTrue();
        assertThat(config.path("Env").toString()).contains("CM_DATA_DIR=/var/lib/cm");

        Path root = Files.createDirectories(dir.resolve("root"));
        for (JsonNode layer : manifest.path("Layers")) {
            run(List.of("tar", "-xzf", image.resolve(layer.asText()).toString(), "-C", root.toString()));
        }
        String classpath = Files.readString(root.resolve("app/jib-classpath-file")).strip()
                .replace("/app/", root.resolve("app") + "/");
        String java = ProcessHandle.current().info().command().orElse("java");
        String version = run(List.of(java, "-cp", classpath, "io.cm.server.Main", "--version"));
        assertThat(version.strip()).isEqualTo("cm-server " + System.getProperty("cm.version"));
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
