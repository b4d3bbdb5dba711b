package io.cm.server.http;

import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.cm.server.TestServer.json;
import static io.cm.server.http.Api.runningStreams;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decisions are atomic per subject (SPEC §2, §8): 200 simultaneous inits for one subject at a
 * limit of 3 admit exactly 3. The init throttle is raised so that it does not take part.
 */
class ConcurrentInitTest {

    private static final int REQUESTS = 200;
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.demo(Map.of("CM_THROTTLING_INITS_PER_WINDOW", "100000"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void twoHundredSimultaneousInitsAtALimitOfThreeAdmitExactlyThree() throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(32);
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            CompletableFuture<Void> gate = new CompletableFuture<>();
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                HttpRequest request = server.as("demo-app", "/v2/sessions/idp/racer?deviceId=d" + i)
                        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody()).build();
                responses.add(gate.thenComposeAsync(v -> client.sendAsync(request, HttpResponse.BodyHandlers.ofString()),
                        executor));
            }
            gate.complete(null);
            CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

            int accepted = 0;
            int denied = 0;
            Set<String> ids = new HashSet<>();
            for (CompletableFuture<HttpResponse<String>> future : responses) {
                HttpResponse<String> response = future.join();
                switch (response.statusCode()) {
                    case 202 -> {
                        accepted++;
                        ids.add(response.headers().firstValue("Location").orElseThrow());
                    }
                    case 409 -> {
                        denied++;
                        assertThat(json(response).at("/evaluationResult/associatedAdvice/0/attributes/current").asInt())
                                .isEqualTo(4);
                        assertThat(json(response).at("/evaluationResult/associatedAdvice/0/attributes/conflicts"))
                                .hasSize(3);
                    }
                    default -> throw new AssertionError("unexpected " + response.statusCode() + ": " + response.body());
                }
            }
            assertThat(accepted).isEqualTo(3);
            assertThat(denied).isEqualTo(REQUESTS - 3);
            assertThat(runningStreams(server, "demo-app", "idp", "racer").path("runningStreams"))
                    .extracting(n -> n.path("sessionId").asText())
                    .containsExactlyInAnyOrderElementsOf(ids);
        } finally {
            executor.shutdownNow();
        }
    }
}
