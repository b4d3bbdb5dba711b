package io.cm.client;


import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/** Real servers shared by the test classes, and clients of them with time under the test's control. */
final class Fixtures {

    /**
     * Where the client's clock starts: years away from the server's (2026-01-01), so a test passes only
     * if the client never compares the service's times with its own.
     */
    static final Instant LOCAL_START = Instant.parse("2031-05-17T08:00:00Z");

    private Fixtures() {
    }

    /**
     * One server on the built-in demo configuration for the whole test run: starting one costs seconds.
     * Test classes keep apart by using their own subjects; the server's clock only moves forward.
     */
    static RealServer demoServer() {
        return DemoServer.INSTANCE;
    }

    private static final class DemoServer {
        static final RealServer INSTANCE = RealServer.demo(); // stopped with the host when the test JVM ends
    }

    /** The live streams of {@link #liveServer()}: one per test, each with its own delivery positions. */
    static final List<String> LIVE_STREAMS = List.of("wait", "resume", "client-id", "client-id-again", "iterator",
            "redirect", "reset");

    /**
     * A server for the live-stream tests: tenant {@code demo} with {@code demo-app} (no real limit) and
     * the {@link #LIVE_STREAMS} over it, token {@code demo-token}. Each test reads its own stream, so
     * that no connection or position of another test is in its way.
     */
    static RealServer liveServer() {
        return LiveServer.INSTANCE;
    }

    private static final class LiveServer {
        static final RealServer INSTANCE = RealServer.withConfig("""
                tenants:
                  - id: demo
                    applications:
                      - {id: demo-app, name: Demo application, policies: [open]}
                policies:
                  - name: open
                    rules:
                      - {type: max-streams, limit: 1000}
                streams:
                """ + LIVE_STREAMS.stream().map(name -> "  - {name: " + name + ", tenant: demo, tokens: [demo-token]}\n")
                .collect(Collectors.joining()));

        static {
            started(INSTANCE, "warm-up"); // a stream that never had an event answers 503
        }
    }

    /** Starts a session of subscriber {@code subject} on {@link #liveServer()}: one session.started event. */
    static String started(RealServer server, String subject) {
        HttpResponse<String> response = server.post("demo-app", "/v2/sessions/idp1/" + subject);
        if (response.statusCode() != 202) throw new AssertionError("start of " + subject + ": " + response.body());
        return response.headers().firstValue("Location").orElseThrow();
    }

    static URI streamUrl(int port, String stream) {
        return URI.create("http://127.0.0.1:" + port + "/api/1/stream/" + stream);
    }

    static ManualClock localClock() {
        return new ManualClock(LOCAL_START);
    }

    static URI baseUrl(RealServer server) {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** Waits until the server counts {@code count} live connections of {@code stream} (its /metrics gauge). */
    static void awaitLiveConnections(RealServer server, String stream, int count) {
        String gauge = "cm_live_stream_connections{stream=\"" + stream + "\"} " + count + ".0";
        Await.until(count + " live connections of " + stream,
                () -> server.get("none", "/metrics").body().lines().anyMatch(gauge::equals));
    }
}
