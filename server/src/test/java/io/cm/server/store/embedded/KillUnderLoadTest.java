package io.cm.server.store.embedded;

import io.cm.server.ServerProcess;
import org.junit.jupiter.api.AfterEach;
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
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC §12 under load: concurrent keep-alive clients start sessions on distinct subjects, the server
 * is killed with SIGKILL while they do, and restarted on the same data directory: every session that
 * got its 202 before the kill answers its heartbeat with 202. Several rounds on one directory, each
 * killing the server that restored the rounds before, on a small heap.
 */
class KillUnderLoadTest {

    private static final int CLIENTS = 16;
    private static final int ROUNDS = 3;
    /** Acknowledged starts per round before the kill; the clients keep sending until it lands. */
    private static final int STARTS_BEFORE_KILL = 1_000;
    private static final List<String> SMALL_HEAP = List.of("-Xmx128m");
    private static final String AUTHORIZATION =
            "Basic " + Base64.getEncoder().encodeToString("demo-app:".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dataDir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ServerProcess server;

    @AfterEach
    void stopServer() {
        if (server != null) server.kill();
    }

    private HttpResponse<Void> post(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", AUTHORIZATION).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    @Test
    void everySessionAcknowledgedBeforeASigkillMidLoadAnswersItsHeartbeatAfterTheRestart() throws Exception {
        List<String> acknowledged = new ArrayList<>();
        server = ServerProcess.start(dataDir, Map.of(), SMALL_HEAP);
        for (int round = 1; round <= ROUNDS; round++) {
            Round load = startSessionsUntilKilled(round);
            assertThat(load.unexpected).as("answers other than 202 before the kill").isEmpty();
            assertThat(load.cut.get()).as("requests in flight when the kill landed").isPositive();
            acknowledged.addAll(load.acknowledged);

            server = ServerProcess.start(dataDir, Map.of(), SMALL_HEAP);

            assertThat(heartbeatsNotAnswered202(acknowledged))
                    .as("round %d: of %d acknowledged sessions, those whose heartbeat did not get 202", round,
                            acknowledged.size())
                    .isEmpty();
        }
    }

    /** What one round of load saw. */
    private static final class Round {
        final Queue<String> acknowledged = new ConcurrentLinkedQueue<>();
        final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
        final AtomicInteger cut = new AtomicInteger();
    }

    /** Clients start sessions until the server dies; it is killed once enough starts were acknowledged. */
    private Round startSessionsUntilKilled(int round) throws InterruptedException {
        Round load = new Round();
        AtomicInteger subjects = new AtomicInteger();
        CountDownLatch enough = new CountDownLatch(STARTS_BEFORE_KILL);
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CLIENTS; c++) {
                clients.submit(() -> {
                    while (true) {
                        String path = "/v2/sessions/idp/round" + round + "-" + subjects.incrementAndGet();
                        HttpResponse<Void> answer;
                        try {
                            answer = post(path);
                        } catch (IOException killed) {
                            load.cut.incrementAndGet();
                            return null;
                        }
                        if (answer.statusCode() == 202) {
                            load.acknowledged.add(path + "/" + answer.headers().firstValue("Location").orElseThrow());
                            enough.countDown();
                        } else {
                            load.unexpected.add(path + " " + answer.statusCode());
                        }
                    }
                });
            }
            assertThat(enough.await(60, TimeUnit.SECONDS)).as("starts acknowledged in time").isTrue();
            server.kill();
        }
        return load;
    }

    private List<String> heartbeatsNotAnswered202(List<String> sessions) throws InterruptedException {
        Queue<String> failed = new ConcurrentLinkedQueue<>();
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CLIENTS; c++) {
                clients.submit(() -> {
                    for (int i = next.getAndIncrement(); i < sessions.size(); i = next.getAndIncrement()) {
                        int status = post(sessions.get(i)).statusCode();
                        if (status != 202) failed.add(sessions.get(i) + " " + status);
                    }
                    return null;
                });
            }
        }
        return failed.stream().limit(20).toList();
    }
}
