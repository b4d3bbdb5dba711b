package io.cm.server.ops;

import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC §12: after an answer, the next request on the connection must arrive within the idle
 * timeout (2 s here), even when it trickles in byte by byte. The first request goes the way curl
 * sends a body: {@code Expect: 100-continue}, the interim answer, then the body.
 */
class NextRequestTimeoutTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.demo(Map.of("CM_HTTP_IDLE_TIMEOUT", "2s", "CM_DELIVERY_KEEPALIVE", "1s"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aNextRequestTrickledInAfterAnAnswerIsCutAfterTheIdleTimeout() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v2/sessions/idp/continued HTTP/1.1\r\nHost: x\r\nAuthorization: "
                    + TestServer.basic("demo-app", "") + "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 11\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            readUntil(socket.getInputStream(), "HTTP/1.1 100 Continue\r\n\r\n");
            out.write("deviceId=d1".getBytes(StandardCharsets.US_ASCII));
            readUntil(socket.getInputStream(), "HTTP/1.1 202");

            long start = System.nanoTime();
            boolean cut = false;
            for (char c : "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: 1234567890".repeat(2).toCharArray()) {
                try {
                    out.write(c);
                    out.flush();
                } catch (IOException reset) {
                    cut = true;
                    break;
                }
                Thread.sleep(250);
            }
            assertThat(cut).as("cut while trickling").isTrue();
            // Upper bound generous: the machine may be busy; what matters is that the server cuts it.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(15));
        }
    }

    private static void readUntil(InputStream in, String expected) throws IOException {
        StringBuilder read = new StringBuilder();
        while (!read.toString().contains(expected)) {
            int b = in.read();
            if (b < 0) throw new AssertionError("closed before " + expected + ": " + read);
            read.append((char) b);
        }
    }
}
