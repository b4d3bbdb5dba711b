package io.cm.server.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cm.server.TestServer;
import io.cm.server.TestTls;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A consumer written only against the published protocol, as existing live-stream consumers are: it
 * obtains a token with the client-credentials grant, then reads the stream over HTTPS with
 * {@code Accept-Encoding: gzip}, following redirects, and un-gzips the CRLF-separated records itself.
 * Nothing of the server's or the client library's code is used on its side.
 */
class PublishedProtocolConsumerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aConsumerOfThePublishedProtocolReadsEventsOverHttpsWithAClientCredentialsToken() throws Exception {
        TestTls.Pem pem = TestTls.generate(TestTls.temporaryDirectory(), "server");
        try (TestServer server = TestServer.demo(pem.environment())) {
            String base = "https://127.0.0.1:" + server.port();
            HttpClient http = HttpClient.newBuilder().sslContext(TestTls.trusting(pem.certificate()))
                    .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(10)).build();
            // The stream has had an event (else 503 no_events_yet).
            String basicApp = "Basic " + Base64.getEncoder().encodeToString("demo-app:".getBytes(StandardCharsets.UTF_8));
            http.send(HttpRequest.newBuilder(URI.create(base + "/v2/sessions/idp1/before")).header("Authorization", basicApp)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());

            HttpResponse<String> granted = http.send(HttpRequest.newBuilder(URI.create(base + "/token"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            "demo-client:demo-secret".getBytes(StandardCharsets.UTF_8)))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(granted.statusCode()).as(granted.body()).isEqualTo(200);
            String token = JSON.readTree(granted.body()).path("access_token").asText();

            HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(
                            URI.create(base + "/api/1/stream/demo?maxConnections=1"))
                    .header("Authorization", "Bearer " + token)
                    .header("Accept-Encoding", "gzip").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.headers().firstValue("Content-Encoding")).hasValue("gzip");
            try (InputStream records = new GZIPInputStream(stream.body(), 512)) {
                HttpResponse<Void> started = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/sessions/idp1/alice"))
                        .header("Authorization", basicApp).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.discarding());
                String sessionId = started.headers().firstValue("Location").orElseThrow();

                JsonNode event = null;
                for (String line = record(records); line != null; line = record(records)) {
                    if (line.isEmpty()) continue; // keepalive
                    JsonNode record = JSON.readTree(line);
                    if (record.path("sessionId").asText().equals(sessionId)) {
                        event = record;
                        break;
                    }
                }
                assertThat(event).as("the session's start came on the stream").isNotNull();
                assertThat(event.path("type").asText()).isEqualTo("session.started");
                assertThat(event.path("subject").asText()).isEqualTo("alice");
                assertThat(event.path("hit_id").asText()).isNotBlank();
            }
        }
    }

    /**
     * The next CRLF-terminated record, or null at the end. Byte by byte: a gzip stream claims bytes are
     * available until its end, so a reader that fills a buffer while available() would wait for records
     * that have not happened yet.
     */
    private static String record(InputStream in) throws IOException {
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        int previous = -1;
        for (int b = in.read(); b >= 0; previous = b, b = in.read()) {
            if (previous == '\r' && b == '\n') {
                return new String(record.toByteArray(), 0, record.size() - 1, StandardCharsets.UTF_8);
            }
            record.write(b);
        }
        return null;
    }
}
