package io.cm.server.ops;

import io.cm.server.TestServer;
import io.cm.server.http.Api;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.cm.server.http.Api.started;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC §12, limits against abuse: a request must arrive in time, the open connections are capped,
 * connections that hold a slot without using it cannot lock others out, and when every slot is
 * busy a newcomer is refused at once. The cap is lowered to 8 here.
 */
class ConnectionLimitsTest {

    private static final int CAP = 8;
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.demo(Map.of("CM_HTTP_MAX_CONNECTIONS", Integer.toString(CAP),
                "CM_HTTP_REQUEST_READ_TIMEOUT", "1s", "CM_HTTP_IDLE_TIMEOUT", "6s"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A connection that sends the start of a request and never finishes it. */
    private static Socket slowClient() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    /** A fresh client, so that no pooled connection of an earlier test is reused. */
    private static HttpResponse<String> liveness(Duration timeout) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return client.send(HttpRequest.newBuilder(server.uri("/health/live")).timeout(timeout).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void twiceTheCapOfSlowClientsCannotKeepLivenessFromAnsweringWithinASecond() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 2 * CAP; i++) slow.add(slowClient());

            long start = System.nanoTime();
            HttpResponse<String> live = liveness(Duration.ofSeconds(1));

            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            assertThat(metric("cm_http_connections_closed_total{reason=\"evicted\"}")).isGreaterThanOrEqualTo(CAP);
        } finally {
            for (Socket socket : slow) socket.close();
        }
    }

    @Test
    void aRequestThatDoesNotArriveWithinTheReadTimeoutHasItsConnectionClosed() throws Exception {
        try (Socket socket = slowClient()) {
            socket.setSoTimeout(15_000);
            long start = System.nanoTime();
            assertThat(readUntilClosed(socket.getInputStream())).as("nothing is answered").isEmpty();
            Duration open = Duration.ofNanos(System.nanoTime() - start);
            // Upper bound generous: the machine may be busy; what matters is that the server closes it.
            assertThat(open).isBetween(Duration.ofMillis(700), Duration.ofSeconds(10));
        }
    }

    @Test
    void whenEveryConnectionIsBusyANewcomerIsRefusedAt503AtOnceAndServedAgainAfterwards() throws Exception {
        started(server, "demo-app", "/v2/sessions/idp/limits?deviceId=d1");
        List<Socket> streams = new ArrayList<>();
        try {
            for (int i = 0; i < CAP; i++) streams.add(liveStream());

            long start = System.nanoTime();
            Api.RawResponse refused = Api.raw(server, "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.header("Retry-After")).isEqualTo("1");
            Api.assertErrorBody(refused.body(), "TOO_MANY_CONNECTIONS");
        } finally {
            for (Socket socket : streams) socket.close();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (Api.raw(server, "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status() != 200) {
            assertThat(System.nanoTime()).as("served again once the streams are gone").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** A live-stream connection: busy answering for as long as it stays open. */
    private static Socket liveStream() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.getOutputStream().write(("GET /api/1/stream/demo?maxConnections=" + CAP + " HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer demo-token\r\nAccept-Encoding: gzip\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.setSoTimeout(5_000);
        byte[] status = socket.getInputStream().readNBytes(12);
        assertThat(new String(status, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
        return socket;
    }

    private static byte[] readUntilClosed(InputStream in) throws IOException {
        try {
            return in.readAllBytes();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection was not closed", e);
        }
    }

    private static double metric(String series) {
        String scrape = server.send(HttpRequest.newBuilder(server.uri("/metrics"))).body();
        return scrape.lines().filter(line -> line.startsWith(series + " ")).findFirst()
                .map(line -> Double.parseDouble(line.substring(series.length() + 1)))
                .orElseThrow(() -> new AssertionError(series + " not in " + scrape));
    }
}
