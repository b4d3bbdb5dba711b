package io.cm.server.lifecycle;

import io.cm.server.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC §4, §12: SIGTERM under load stops accepting and answers every request already read. A start
 * that got no answer must not have happened: its session would count against the subscriber's limit
 * unseen. Checked after a restart on the same data directory, several rounds, with a small heap.
 */
class GracefulShutdownTest {

    private static final int CLIENTS = 20;
    private static final int ROUNDS = 3;
    private static final String AUTH = "Basic ZGVtby1hcHA6";

    @TempDir
    Path dataDir;

    private record Outcome(String subject, int status, String sessionId) {
    }

    @Test
    void sigtermUnderLoadAnswersEveryRequestItReadAndKeepsEveryAnsweredStart() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Queue<Outcome> answered = new ConcurrentLinkedQueue<>();
            Queue<String> unanswered = new ConcurrentLinkedQueue<>();
            ServerProcess server = ServerProcess.start(dataDir, Map.of("JAVA_TOOL_OPTIONS", "-Xmx256m"));
            int exit;
            try {
                exit = underLoad(server, "r" + round, answered, unanswered);
            } finally {
                server.kill();
            }
            // 128 + 15: the JVM's code for a stop by SIGTERM once its shutdown hook has run.
            assertThat(exit).as("exit code after SIGTERM").isEqualTo(143);
            assertThat(answered).as("round %d: starts answered before the stop", round).hasSizeGreaterThan(100);
            ServerProcess restarted = ServerProcess.start(dataDir, Map.of());
            try {
                HttpClient http = HttpClient.newHttpClient();
                for (Outcome outcome : answered) {
                    if (outcome.status() != 202) continue;
                    HttpResponse<String> beat = send(http, restarted, "POST",
                            "/v2/sessions/idp/" + outcome.subject() + "/" + outcome.sessionId());
                    assertThat(beat.statusCode()).as("heartbeat of acknowledged %s", outcome.subject()).isEqualTo(202);
                }
                for (String subject : unanswered) {
                    HttpResponse<String> running = send(http, restarted, "GET", "/v2/runningStreams/idp/" + subject);
                    assertThat(running.body()).as("a start that got no answer left no session: %s", subject)
                            .contains("\"runningStreams\":[]");
                }
            } finally {
                restarted.kill();
            }
        }
    }

    /** Clients start sessions on distinct subjects until the server stops; returns its exit code. */
    private static int underLoad(ServerProcess server, String prefix, Queue<Outcome> answered, Queue<String> unanswered)
            throws Exception {
        AtomicBoolean stopped = new AtomicBoolean();
        AtomicInteger counter = new AtomicInteger();
        CountDownLatch warm = new CountDownLatch(CLIENTS * 20);
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            clients.add(Thread.ofPlatform().start(() -> {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                while (!stopped.get()) {
                    String subject = prefix + "-" + counter.incrementAndGet();
                    try {
                        HttpResponse<String> response = send(http, server, "POST", "/v2/sessions/idp/" + subject);
                        answered.add(new Outcome(subject, response.statusCode(),
                                response.headers().firstValue("Location").orElse("")));
                    } catch (ConnectException refused) {
                        return; // not sent: the server no longer accepts
                    } catch (IOException noAnswer) {
                        unanswered.add(subject);
                    }
                    warm.countDown();
                }
            }));
        }
        warm.await();
        int exit = server.terminate();
        stopped.set(true);
        for (Thread client : clients) client.join(30_000);
        return exit;
    }

    private static HttpResponse<String> send(HttpClient http, ServerProcess server, String method, String path)
            throws IOException {
        HttpRequest request = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", AUTH).method(method, HttpRequest.BodyPublishers.noBody()).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
