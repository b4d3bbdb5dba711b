package io.cm.server.store.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cm.server.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kill -9} of the server, then a restart on the same data directory (issue 3): every active
 * session is still active and its termination code still works, every stopped, killed or dismissed
 * session is still ended, and a denied init left nothing behind.
 */
class CrashRestartTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dataDir;

    private ServerProcess server;

    private HttpResponse<String> send(String app, String method, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((app + ":").getBytes(StandardCharsets.UTF_8)))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Starts a session and returns its path. */
    private String start(String app, String path, String... headers) throws Exception {
        HttpResponse<String> response = send(app, "POST", path, headers);
        assertThat(response.statusCode()).as("%s %s", path, response.body()).isEqualTo(202);
        String base = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        return base + "/" + response.headers().firstValue("Location").orElseThrow();
    }

    private List<JsonNode> running(String app, String subject) throws Exception {
        List<JsonNode> streams = new ArrayList<>();
        JSON.readTree(send(app, "GET", "/v2/runningStreams/idp/" + subject).body()).path("runningStreams").forEach(streams::add);
        return streams;
    }

    private static String id(String location) {
        return location.substring(location.lastIndexOf('/') + 1);
    }

    @Test
    void afterSigkillAndRestartActiveSessionsLiveOnAndEndedSessionsStayEnded() throws Exception {
        String killed;
        String stopped;
        String survivor;
        String killer;
        String dismissed;
        String fifoKept;
        String survivorCode;
        server = ServerProcess.start(dataDir, Map.of());
        try {
            killed = start("demo-app", "/v2/sessions/idp/alice?deviceId=tv&deviceName=TV");
            stopped = start("demo-app", "/v2/sessions/idp/alice?deviceId=phone");
            survivor = start("demo-app", "/v2/sessions/idp/alice?deviceId=tablet");
            assertThat(send("demo-app", "POST", "/v2/sessions/idp/alice?deviceId=laptop").statusCode()).isEqualTo(409);
            String killedCode = running("demo-app", "alice").stream()
                    .filter(s -> s.path("sessionId").asText().equals(id(killed)))
                    .findFirst().orElseThrow().path("terminationCode").asText();
            killer = start("demo-app", "/v2/sessions/idp/alice?deviceId=laptop", "X-Terminate", killedCode);
            assertThat(send("demo-app", "DELETE", stopped).statusCode()).isEqualTo(202);
            dismissed = start("demo-app-fifo", "/v2/sessions/idp/bob?deviceId=1");
            start("demo-app-fifo", "/v2/sessions/idp/bob?deviceId=2");
            fifoKept = start("demo-app-fifo", "/v2/sessions/idp/bob?deviceId=3");
            survivorCode = running("demo-app", "alice").stream()
                    .filter(s -> s.path("sessionId").asText().equals(id(survivor)))
                    .findFirst().orElseThrow().path("terminationCode").asText();
        } finally {
            server.kill();
        }

        server = ServerProcess.start(dataDir, Map.of());
        try {
            assertThat(running("demo-app", "alice")).extracting(s -> s.path("sessionId").asText())
                    .as("active sessions, and nothing from the denied init")
                    .containsExactlyInAnyOrder(id(survivor), id(killer));
            assertThat(send("demo-app", "POST", survivor).statusCode()).isEqualTo(202);
            assertThat(send("demo-app", "POST", killer).statusCode()).isEqualTo(202);
            assertThat(send("demo-app", "POST", stopped).statusCode()).isEqualTo(410);
            HttpResponse<String> killedBeat = send("demo-app", "POST", killed);
            assertThat(killedBeat.statusCode()).isEqualTo(410);
            assertThat(killedBeat.body()).contains("remote-termination").contains(id(killer));
            assertThat(send("demo-app-fifo", "POST", dismissed).statusCode()).isEqualTo(409);
            assertThat(send("demo-app-fifo", "POST", fifoKept).statusCode()).isEqualTo(202);

            start("demo-app", "/v2/sessions/idp/alice?deviceId=car");
            start("demo-app", "/v2/sessions/idp/alice?deviceId=watch", "X-Terminate", survivorCode);
            assertThat(send("demo-app", "POST", survivor).statusCode())
                    .as("the termination code issued before the crash still kills").isEqualTo(410);
        } finally {
            server.kill();
        }
    }
}
