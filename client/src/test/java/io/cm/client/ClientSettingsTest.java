package io.cm.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * What a {@link ConcurrencyClient.Builder} lets an app set (SPEC §7): timeouts, its own
 * {@link HttpClient}, the retry policies; and the settings it refuses at once.
 */
@Timeout(30)
class ClientSettingsTest {

    private static final String LISTING = "{\"runningStreams\":[],\"otherStreams\":1}";
    private static final String UNAVAILABLE = "{\"status\":\"error\",\"error\":{\"code\":\"STORE_UNAVAILABLE\",\"message\":\"down\"}}";
    /** Fast retries, so that tests on real time stay short. */
    private static final RetryPolicy QUICK = new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10));

    @Test
    void aStartWhoseAnswerDoesNotComeWithinTheRequestTimeoutFailsAndIsNotSentAgain() {
        try (FaultServer fault = FaultServer.start((exchange, n) -> FaultServer.stall(exchange));
             ConcurrencyClient client = ConcurrencyClient.builder(fault.uri("/"), "demo-app")
                     .requestTimeout(Duration.ofMillis(300)).retryPolicy(QUICK).build()) {

            ConcurrencyException error = catchThrowableOfType(ConcurrencyException.class,
                    () -> client.start("idp1", "alice", Map.of("deviceId", "tv")));

            assertThat(error).hasMessageContaining("not sent again");
            assertThat(fault.requests()).hasSize(1);
        }
    }

    @Test
    void aListingWhoseAnswerDoesNotComeWithinTheRequestTimeoutIsAskedAgain() throws Exception {
        try (FaultServer fault = FaultServer.start((exchange, n) -> {
            if (n == 0) FaultServer.stall(exchange);
            else FaultServer.reply(exchange, 200, Map.of(), LISTING);
        }); ConcurrencyClient client = ConcurrencyClient.builder(fault.uri("/"), "demo-app")
                .requestTimeout(Duration.ofMillis(300)).retryPolicy(QUICK).build()) {

            assertThat(client.runningStreams("idp1", "alice").otherStreams()).isEqualTo(1);
            assertThat(fault.requests()).hasSize(2);
        }
    }

    @Test
    void theRetryPolicyGivenBoundsTheAttemptsOfACall() {
        try (FaultServer fault = FaultServer.start((exchange, n) -> FaultServer.reply(exchange, 503, Map.of(), UNAVAILABLE));
             ConcurrencyClient client = ConcurrencyClient.builder(fault.uri("/"), "demo-app").retryPolicy(QUICK).build()) {

            ConcurrencyException error = catchThrowableOfType(ConcurrencyException.class,
                    () -> client.runningStreams("idp1", "alice"));

            assertThat(error.code()).hasValue("STORE_UNAVAILABLE");
            assertThat(fault.requests()).hasSize(QUICK.maxAttempts());
        }
    }

    @Test
    void heartbeatsAreRetriedAsTheHeartbeatRetryPolicySays() {
        RetryPolicy twice = new RetryPolicy(2, Duration.ofSeconds(1), Duration.ofSeconds(1));
        try (FaultServer fault = FaultServer.start((exchange, n) -> {
            if (n == 0) FaultServer.accepted(exchange, "s-1", 60);
            else FaultServer.reply(exchange, 503, Map.of(), UNAVAILABLE);
        }); ManualTimeClient manual = ManualTimeClient.of(fault.uri("/"), settings -> settings.heartbeatRetryPolicy(twice))) {
            StreamSession session = manual.client.startAsync("idp1", "alice", Map.of("deviceId", "tv")).join();
            RecordingListener listener = new RecordingListener();
            session.setListener(listener);

            manual.scheduler.advance(Duration.ofSeconds(55 + 1));

            assertThat(listener.only(ConcurrencyException.class).code()).hasValue("STORE_UNAVAILABLE");
            assertThat(fault.requests()).as("the start and two heartbeat attempts").hasSize(3);
        }
    }

    @Test
    void anHttpClientGivenIsTheOneUsedAndIsLeftOpenByClose() throws Exception {
        AtomicInteger tasks = new AtomicInteger();
        ExecutorService threads = Executors.newCachedThreadPool();
        HttpClient own = HttpClient.newBuilder().executor(task -> {
            tasks.incrementAndGet();
            threads.execute(task);
        }).build();
        try (FaultServer fault = FaultServer.start((exchange, n) -> FaultServer.reply(exchange, 200, Map.of(), LISTING))) {
            try (ConcurrencyClient client = ConcurrencyClient.builder(fault.uri("/"), "demo-app").httpClient(own).build()) {
                client.runningStreams("idp1", "alice");
            }
            assertThat(tasks).as("work done on the given client's executor").hasPositiveValue();

            HttpResponse<String> stillWorks = own.send(HttpRequest.newBuilder(fault.uri("/after-close")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(stillWorks.statusCode()).isEqualTo(200);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void anHttpClientThatFollowsRedirectsIsRefused() {
        HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();

        assertThatThrownBy(() -> ConcurrencyClient.builder(URI.create("http://cm.example"), "demo-app").httpClient(following))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redirects");
    }

    @Test
    void aConnectTimeoutIsRefusedWithAnHttpClientGiven() {
        ConcurrencyClient.Builder builder = ConcurrencyClient.builder(URI.create("http://cm.example"), "demo-app")
                .httpClient(HttpClient.newHttpClient());

        assertThatThrownBy(() -> builder.connectTimeout(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void timeoutsAndRetryPoliciesOutOfRangeAreRefusedAtOnce() {
        ConcurrencyClient.Builder builder = ConcurrencyClient.builder(URI.create("http://cm.example"), "demo-app");

        assertThatThrownBy(() -> builder.requestTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.connectTimeout(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(List.of(RetryPolicy.INTERACTIVE.maxAttempts(), RetryPolicy.HEARTBEAT.maxAttempts()))
                .containsExactly(4, 7);
    }
}
