package io.cm.server.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cm.server.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployment examples stay in step with the server: every setting they name exists, the two
 * compose nodes share one Redis, one Kafka and one id secret, and systemd does not restart a node
 * that cannot start (exit status 2).
 */
class DeploymentExamplesTest {

    private static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.exists(dir.resolve("compose.yaml"))) dir = dir.getParent();
        return dir;
    }

    @Test
    void composeRunsTwoNodesOnOneRedisAndOneKafkaWithSettingsTheServerKnows() throws IOException {
        // SnakeYAML (under Jackson's YAML reader) applies the merge keys (<<: *node) that Jackson leaves alone.
        JsonNode compose = new ObjectMapper().valueToTree(new Yaml().load(Files.readString(root().resolve("compose.yaml"))));
        JsonNode services = compose.path("services");
        assertThat(services.has("redis")).isTrue();
        assertThat(services.has("kafka")).isTrue();
        for (String node : List.of("node1", "node2")) {
            JsonNode env = services.path(node).path("environment");
            List<String> names = new ArrayList<>();
            env.fieldNames().forEachRemaining(names::add);
            assertThat(ConfigLoader.knownVariables()).as(node).containsAll(names);
            assertThat(env.path("CM_STORE").asText()).isEqualTo("redis");
            assertThat(env.path("CM_REDIS_URL").asText()).isEqualTo("redis://redis:6379");
            assertThat(env.path("CM_KAFKA_BOOTSTRAP").asText()).isEqualTo("kafka:9092");
            assertThat(env.path("CM_ID_SECRET").asText()).startsWith("${CM_ID_SECRET:?");
        }
    }

    @Test
    void theSystemdUnitNamesKnownSettingsAndDoesNotRestartANodeThatCannotStart() throws IOException {
        List<String> unit = Files.readAllLines(root().resolve("deploy/cm-server.service"));
        List<String> names = unit.stream().filter(line -> line.startsWith("Environment=CM_"))
                .map(line -> line.substring("Environment=".length(), line.indexOf('=', "Environment=".length()))).toList();
        assertThat(names).isNotEmpty();
        assertThat(ConfigLoader.knownVariables()).containsAll(names);
        assertThat(unit).contains("RestartPreventExitStatus=2", "StateDirectoryMode=0700");
        assertThat(unit).anySatisfy(line -> assertThat(line).startsWith("ExecStart=").endsWith("-jar /opt/cm/cm-server.jar"));
    }
}
