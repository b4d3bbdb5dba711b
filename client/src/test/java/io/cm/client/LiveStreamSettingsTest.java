package io.cm.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a {@link LiveStreamClient.Builder} lets a consumer set (SPEC §7): where callbacks run, how long an
 * attempt waits for its answer, its own {@link HttpClient}; and the settings it refuses at once.
 */
@Timeout(30)
class LiveStreamSettingsTest {

    @Test
    void callbacksRunOnTheExecutorGivenOneAtATimeInTheOrderOfTheStream() {
        ExecutorService appThreads = Executors.newFixedThreadPool(4, task -> new Thread(task, "app-callbacks"));
        List<String> seen = new CopyOnWriteArrayList<>();
        try (FaultServer fault = FaultServer.start((exchange, n) -> {
            FaultServer.GzipChunks body = FaultServer.stream(exchange);
            for (int i = 0; i < 20; i++) body.send("{\"hit_id\":\"h-" + i + "\"}\r\n");
            FaultServer.stall(exchange);
        }); LiveStreamClient client = LiveStreamClient.builder(fault.uri("/api/1/stream/demo"), "demo-token")
                .callbackExecutor(appThreads).build()) {

            client.subscribe(event -> seen.add(Thread.currentThread().getName() + " " + event.raw().path("hit_id").asText()),
                    failure -> { });

            Await.until("20 records", () -> seen.size() == 20);
            for (int i = 0; i < 20; i++) assertThat(seen.get(i)).isEqualTo("app-callbacks h-" + i);
        } finally {
            appThreads.shutdownNow();
        }
    }

    @Test
    void anAttemptWhoseAnswerDoesNotComeWithinTheRequestTimeoutCountsAsFailed() {
        List<LiveStreamException> failures = new CopyOnWriteArrayList<>();
        try (FaultServer fault = FaultServer.start((exchange, n) -> FaultServer.stall(exchange));
             LiveStreamClient client = LiveStreamClient.builder(fault.uri("/api/1/stream/demo"), "demo-token")
                     .requestTimeout(Duration.ofMillis(300)).maxAttempts(1).build()) {

            client.subscribe(event -> { }, failures::add);

            Await.until("the failure", () -> !failures.isEmpty());
            assertThat(failures.get(0).status()).as("no answer").isEmpty();
            assertThat(failures.get(0)).hasMessageContaining("1 attempts failed");
        }
    }

    @Test
    void settingsOutOfRangeAreRefusedAtOnce() {
        LiveStreamClient.Builder builder = LiveStreamClient.builder(URI.create("http://cm.example/api/1/stream/s"), "t");

        assertThatThrownBy(() -> builder.httpClient(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.ALWAYS).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redirects");
        assertThatThrownBy(() -> builder.requestTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.maxConnections(9)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.connectTimeout(Duration.ofSeconds(1)).httpClient(HttpClient.newHttpClient()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void clientCredentialsAreCheckedWhenGiven() {
        URI stream = URI.create("http://cm.example/api/1/stream/s");
        URI token = URI.create("http://cm.example/token");

        assertThatThrownBy(() -> LiveStreamClient.builder(stream, token, "", "secret"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clientId");
        assertThatThrownBy(() -> LiveStreamClient.builder(stream, null, "reader", "secret"))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("tokenUrl");
        assertThatThrownBy(() -> LiveStreamClient.builder(stream, token, "reader", null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("clientSecret");
    }
}
