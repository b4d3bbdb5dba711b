package io.cm.server.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cm.server.ServerProcess;
import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.cm.server.http.Api.started;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Logs an operator can follow (SPEC §4, §12): every request has an id, echoed to the caller and
 * carried by each line logged for it; one access-log line per request; denial lines whose fields a
 * subscriber name cannot forge; one JSON object per line when asked.
 */
class RequestLoggingTest {

    private static TestServer server;
    private static final ListAppender<ILoggingEvent> LINES = new ListAppender<>();

    private static final Logger ACCESS = (Logger) LoggerFactory.getLogger("io.cm.access");
    private static Level accessLevel;

    @BeforeAll
    static void start() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        LINES.start();
        root.addAppender(LINES);
        accessLevel = ACCESS.getLevel();
        ACCESS.setLevel(Level.INFO);
        server = TestServer.demo();
    }

    @AfterAll
    static void stop() {
        server.close();
        ACCESS.setLevel(accessLevel);
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(LINES);
    }

    private static List<ILoggingEvent> linesOf(String logger, String requestId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            List<ILoggingEvent> found;
            synchronized (LINES) {
                found = List.copyOf(LINES.list).stream().filter(e -> e.getLoggerName().equals(logger))
                        .filter(e -> requestId.equals(e.getMDCPropertyMap().get("requestId"))).toList();
            }
            if (!found.isEmpty() || System.nanoTime() > deadline) return found;
            Thread.onSpinWait();
        }
    }

    @Test
    void aCallersRequestIdIsEchoedAndCarriedByItsAccessLogLine() {
        HttpResponse<String> response = server.send(server.as("demo-app", "/v2/metadata")
                .header("X-Request-Id", "edge-4f2a.17"));

        assertThat(response.headers().firstValue("X-Request-Id")).hasValue("edge-4f2a.17");
        List<ILoggingEvent> access = linesOf("io.cm.access", "edge-4f2a.17");
        assertThat(access).hasSize(1);
        assertThat(access.getFirst().getFormattedMessage())
                .contains("method=GET", "path=/v2/metadata", "status=200", "client=127.0.0.1");
    }

    @Test
    void withoutAUsableRequestIdOneIsGenerated() {
        HttpResponse<String> plain = server.send(server.as("demo-app", "/v2/metadata"));
        HttpResponse<String> garbage = server.send(server.as("demo-app", "/v2/metadata")
                .header("X-Request-Id", "has spaces and \"quotes\""));

        String generated = plain.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(generated).matches("[A-Za-z0-9_-]{16}");
        assertThat(garbage.headers().firstValue("X-Request-Id")).hasValueSatisfying(id ->
                assertThat(id).matches("[A-Za-z0-9_-]{16}").isNotEqualTo(generated));
        assertThat(linesOf("io.cm.access", generated)).hasSize(1);
    }

    @Test
    void aDenialIsOneLineWhoseFieldsASubjectNameCannotForge() {
        String subject = "mallory policy=forged\u2028denied app=x \"rule\"=y";
        String path = "/v2/sessions/idp1/" + URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
        for (int i = 1; i <= 3; i++) started(server, "demo-app", path + "?deviceId=d" + i);

        HttpResponse<String> denied = server.send(server.as("demo-app", path + "?deviceId=d4")
                .header("X-Request-Id", "deny-1").POST(HttpRequest.BodyPublishers.noBody()));

        assertThat(denied.statusCode()).isEqualTo(409);
        List<ILoggingEvent> lines = linesOf("io.cm.denials", "deny-1");
        assertThat(lines).hasSize(1);
        String line = lines.getFirst().getFormattedMessage();
        assertThat(line).isEqualTo("denied app=demo-app idp=idp1 subject=\"mallory policy=forged\\u2028denied app=x "
                + "\\\"rule\\\"=y\" policy=demo-policy rule=max_streams threshold=3 current=4");
        assertThat(lines.getFirst().getKeyValuePairs()).anySatisfy(pair -> {
            assertThat(pair.key).isEqualTo("subject");
            assertThat(pair.value).isEqualTo(subject);
        });
    }

    @Test
    void theJsonLogFormatWritesOneObjectPerLineWithTheRequestId(@TempDir Path dataDir) throws Exception {
        try (ServerProcess process = ServerProcess.start(dataDir,
                Map.of("CM_LOG_FORMAT", "json", "TEST_ACCESS_LOG", "INFO"))) {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(process.uri("/health/live"))
                    .header("X-Request-Id", "json-1").build(), HttpResponse.BodyHandlers.discarding());
            ObjectMapper mapper = new ObjectMapper();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            JsonNode access = null;
            while (access == null && System.nanoTime() < deadline) {
                for (String line : log(dataDir)) {
                    JsonNode json = mapper.readTree(line);
                    if ("json-1".equals(json.path("mdc").path("requestId").asText())) access = json;
                }
                Thread.sleep(50);
            }
            assertThat(access).as(String.join("\n", log(dataDir))).isNotNull();
            assertThat(access.path("loggerName").asText()).isEqualTo("io.cm.access");
            assertThat(access.path("formattedMessage").asText()).contains("path=/health/live", "status=200");
            for (String line : log(dataDir)) assertThat(mapper.readTree(line).isObject()).as(line).isTrue();
        }
    }

    private static List<String> log(Path dataDir) throws IOException {
        return Files.readAllLines(dataDir.resolve("server.log")).stream().filter(line -> !line.isBlank()).toList();
    }
}
