package io.cm.server.stream;

import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.cm.server.stream.StreamFixture.DEMO_APP;
import static io.cm.server.stream.StreamFixture.await;
import static io.cm.server.stream.StreamFixture.awaitConnections;
import static io.cm.server.stream.StreamFixture.start;
import static io.cm.server.stream.StreamFixture.startAll;
import static io.cm.server.stream.StreamFixture.startedSubjects;
import static io.cm.server.stream.StreamFixture.startsOf;
import static io.cm.server.stream.StreamFixture.subjects;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where a connection starts (SPEC §6): at the end the first time, where the stream stood within the
 * resume window, at the end after it, and where {@code reset} says when no other connection is live.
 * Each test has its own stream (positions are per stream) and its own visitor, started before and
 * after the connection: one visitor's events are ordered, so what comes first tells where it started.
 */
class StreamPositionTest {

    private static TestServer server;

    @BeforeAll
    static void start_() {
        server = TestServer.withConfig(StreamFixture.config("",
                "first", "resumed", "expired", "smallest", "largest", "ignored"));
        start(server, DEMO_APP, "warm-up");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theFirstConnectionEverStartsAtTheEnd() {
        start(server, DEMO_APP, "first");
        try (StreamClient stream = StreamClient.get(server, "/api/1/stream/first")) {
            String after = start(server, DEMO_APP, "first");

            assertThat(startsOf(stream, "first", after)).containsExactly(after);
        }
    }

    @Test
    void aReconnectWithinTheResumeWindowContinuesWhereTheStreamStood() {
        disconnectedOnce("resumed");
        String away = start(server, DEMO_APP, "resumed");
        server.clock.advance(Duration.ofMinutes(9));

        try (StreamClient stream = StreamClient.get(server, "/api/1/stream/resumed")) {
            String after = start(server, DEMO_APP, "resumed");

            assertThat(startsOf(stream, "resumed", after)).containsExactly(away, after);
        }
    }

    @Test
    void aReconnectAfterTheResumeWindowStartsAtTheEnd() {
        disconnectedOnce("expired");
        start(server, DEMO_APP, "expired");
        server.clock.advance(Duration.ofMinutes(11));

        try (StreamClient stream = StreamClient.get(server, "/api/1/stream/expired")) {
            String after = start(server, DEMO_APP, "expired");

            assertThat(startsOf(stream, "expired", after)).containsExactly(after);
        }
    }

    @Test
    void resetSmallestReplaysTheRetainedEvents() {
        List<String> retained = subjects("smallest-", 5);
        startAll(server, DEMO_APP, retained);

        try (StreamClient stream = StreamClient.get(server, "/api/1/stream/smallest?reset=smallest")) {
            Set<String> replayed = new HashSet<>();
            while (!replayed.containsAll(retained)) replayed.addAll(startedSubjects(stream.events(1)));
            assertThat(replayed).as("retained from before this test").contains("warm-up");
        }
    }

    @Test
    void resetLargestSkipsWhatHappenedWhileAway() {
        disconnectedOnce("largest");
        start(server, DEMO_APP, "largest");

        try (StreamClient stream = StreamClient.get(server, "/api/1/stream/largest?reset=largest")) {
            String after = start(server, DEMO_APP, "largest");

            assertThat(startsOf(stream, "largest", after)).containsExactly(after);
        }
    }

    @Test
    void resetIsIgnoredWhileAnotherConnectionIsLive() {
        start(server, DEMO_APP, "ignored-before");
        List<String> visitors = subjects("ignored-", 24);
        try (Collector first = new Collector(StreamClient.get(server, "/api/1/stream/ignored?maxConnections=2"));
             Collector second = new Collector(StreamClient.get(server,
                     "/api/1/stream/ignored?maxConnections=2&reset=smallest"))) {
            startAll(server, DEMO_APP, visitors);
            await("every visitor", () -> {
                Set<String> union = new HashSet<>(startedSubjects(first.events()));
                union.addAll(startedSubjects(second.events()));
                return union.containsAll(visitors);
            });

            assertThat(startedSubjects(second.events())).isNotEmpty().doesNotContain("ignored-before", "warm-up");
        }
    }

    /** Connects to {@code stream} and leaves, so that it has a position; waits until the server saw it go. */
    private static void disconnectedOnce(String stream) {
        StreamClient.get(server, "/api/1/stream/" + stream).close();
        awaitConnections(server, stream, 0);
    }
}
