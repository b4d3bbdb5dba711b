package io.cm.server.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.server.TestServer;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the live-stream tests share: a configuration with three tenants and their streams, session
 * traffic that makes events, and waiting without timing assumptions.
 */
final class StreamFixture {

    static final String DEMO_APP = "demo-app";
    static final String OTHER_APP = "other-app";
    static final String QUIET_APP = "quiet-app";
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private StreamFixture() {
    }

    /**
     * Tenants {@code demo}, {@code other} and {@code quiet}, one application each, no real limit;
     * streams {@code other} and {@code quiet} over their tenants, and {@code names} over {@code demo},
     * all with token {@value StreamClient#TOKEN}; then {@code extra} (e.g. a {@code delivery} section).
     */
    static String config(String extra, String... names) {
        StringBuilder yaml = new StringBuilder("""
                tenants:
                  - id: demo
                    applications:
                      - id: demo-app
                        name: Demo application
                        policies: [open]
                  - id: other
                    applications:
                      - id: other-app
                        policies: [open]
                  - id: quiet
                    applications:
                      - id: quiet-app
                        policies: [open]
                policies:
                  - name: open
                    rules:
                      - type: max-streams
                        limit: 1000
                streams:
                  - {name: other, tenant: other, tokens: [demo-token]}
                  - {name: quiet, tenant: quiet, tokens: [demo-token]}
                """);
        for (String name : names) yaml.append("  - {name: ").append(name).append(", tenant: demo, tokens: [demo-token]}\n");
        return yaml.append(extra).toString();
    }

    /** Starts a session of {@code subject} (idp {@code idp1}) as {@code app}: one session.started event. */
    static String start(TestServer server, String app, String subject) {
        HttpResponse<String> response = server.post(app, "/v2/sessions/idp1/" + subject);
        assertThat(response.statusCode()).as("init of %s as %s: %s", subject, app, response.body()).isEqualTo(202);
        return response.headers().firstValue("Location").orElseThrow();
    }

    /** One session.started event for each subject. */
    static void startAll(TestServer server, String app, Collection<String> subjects) {
        subjects.forEach(subject -> start(server, app, subject));
    }

    static List<String> subjects(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
    }

    /** The live stream's own error shape (SPEC §6): {@code {"error","error_description"}}, application/json. */
    static JsonNode assertStreamError(StreamClient response, int status, String error) {
        assertThat(response.status()).as("status").isEqualTo(status);
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        JsonNode body = response.error();
        assertThat(body.path("error").asText()).as(body.toString()).isEqualTo(error);
        assertThat(body.path("error_description").asText()).as(body.toString()).isNotBlank();
        assertThat(body.size()).as("only error and error_description: %s", body).isEqualTo(2);
        return body;
    }

    /**
     * The ids of the sessions of {@code subject} whose start {@code stream} delivers, in order, up to
     * and including {@code last}. Other events (expiries when a test moves the clock, other visitors)
     * are skipped; one visitor's events are in one partition, so their order is the order they happened.
     */
    static List<String> startsOf(StreamClient stream, String subject, String last) {
        return stream.eventsUntil(event -> isStart(event) && event.path("sessionId").asText().equals(last)).stream()
                .filter(event -> isStart(event) && subject(event).equals(subject))
                .map(event -> event.path("sessionId").asText())
                .toList();
    }

    /** Subjects of the session.started events among {@code events}. */
    static Set<String> startedSubjects(Collection<JsonNode> events) {
        return events.stream().filter(StreamFixture::isStart).map(StreamFixture::subject).collect(Collectors.toSet());
    }

    private static boolean isStart(JsonNode event) {
        return event.path("type").asText().equals("session.started");
    }

    static String subject(JsonNode event) {
        return event.path("subject").asText();
    }

    static Set<String> subjectsOf(Collection<JsonNode> events) {
        return events.stream().map(StreamFixture::subject).collect(Collectors.toSet());
    }

    /** Heartbeats {@code sessionId} of {@code subject}: one session.heartbeat event. */
    static void heartbeat(TestServer server, String app, String subject, String sessionId) {
        HttpResponse<String> response = server.post(app, "/v2/sessions/idp1/" + subject + "/" + sessionId);
        assertThat(response.statusCode()).as("heartbeat of %s: %s", subject, response.body()).isEqualTo(202);
    }

    /** Waits until the event log has stored {@code count} events in all (its /metrics counter). */
    static void awaitStored(TestServer server, int count) {
        String counter = "cm_events_appended_total " + count + ".0";
        await(count + " events stored", () -> server.get("none", "/metrics").body().lines().anyMatch(counter::equals));
    }

    /** Waits until the server counts {@code count} live connections of {@code stream} (its /metrics gauge). */
    static void awaitConnections(TestServer server, String stream, int count) {
        String gauge = "cm_live_stream_connections{stream=\"" + stream + "\"} " + count + ".0";
        await("stream " + stream + " to have " + count + " live connections",
                () -> server.get("none", "/metrics").body().lines().anyMatch(line -> line.equals(gauge)));
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("gave up waiting for " + what);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}
