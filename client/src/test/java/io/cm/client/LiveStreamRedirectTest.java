package io.cm.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 302 is followed with the token and {@code Accept-Encoding} sent again (SPEC §7; {@code java.net.http}
 * would drop {@code Authorization}). A fake front redirects to the real server, which refuses any
 * request without both (401, 406): records arriving prove they were sent. A redirect from https to
 * http is refused, since it would send the token in clear: fake fronts over TLS, reached with an
 * {@code HttpClient} of the test's that trusts their certificate.
 */
@Timeout(30)
class LiveStreamRedirectTest {

    private final RealServer server = Fixtures.liveServer();

    @Test
    void aRedirectIsFollowedWithTheTokenAndTheGzipAcceptance() {
        String target = Fixtures.streamUrl(server.port(), "redirect") + "?maxConnections=1";
        List<SessionEvent> received = new CopyOnWriteArrayList<>();
        try (FaultServer front = FaultServer.start((exchange, n) -> FaultServer.reply(exchange, 302,
                Map.of("Location", target), ""));
             LiveStreamClient client = LiveStreamClient.builder(front.uri("/api/1/stream/redirect"), "demo-token").build()) {
            client.subscribe(received::add, failure -> { });
            Fixtures.awaitLiveConnections(server, "redirect", 1);

            Fixtures.started(server, "redirected");

            Await.until("the event through the redirect", () -> received.stream()
                    .anyMatch(r -> r.raw().path("subject").asText().equals("redirected")));
            assertThat(front.requests().get(0).header("Authorization")).isEqualTo("Bearer demo-token");
        }
    }

    @Test
    void aRedirectFromHttpsToHttpIsRefusedAndTheTokenIsNeverSentInClear() {
        List<LiveStreamException> failures = new CopyOnWriteArrayList<>();
        try (FaultServer plain = FaultServer.start((exchange, n) -> FaultServer.stream(exchange).end());
             FaultServer front = FaultServer.startTls(SelfSignedTls.context(), (exchange, n) -> FaultServer.reply(exchange,
                     302, Map.of("Location", plain.uri("/api/1/stream/demo").toString()), ""));
             LiveStreamClient client = LiveStreamClient.builder(front.uri("/api/1/stream/demo"), "demo-token")
                     .httpClient(trustingTheTestCertificate()).build()) {

            client.subscribe(event -> { }, failures::add);

            Await.until("the failure", () -> !failures.isEmpty());
            assertThat(failures).singleElement().satisfies(failure -> {
                assertThat(failure).hasMessageContaining("refused").hasMessageContaining("unencrypted");
                assertThat(failure.status()).hasValue(302);
            });
            assertThat(front.requests()).as("asked once, over TLS").hasSize(1);
            assertThat(plain.requests()).as("nothing sent in clear").isEmpty();
        }
    }

    @Test
    void aRedirectFromHttpsToHttpsIsFollowed() {
        List<SessionEvent> received = new CopyOnWriteArrayList<>();
        try (FaultServer front = FaultServer.startTls(SelfSignedTls.context(), (exchange, n) -> {
            if (n == 0) {
                FaultServer.reply(exchange, 302, Map.of("Location", "/moved/api/1/stream/demo"), "");
            } else {
                FaultServer.stream(exchange).send("{\"type\":\"stream.behind-retention\"}\r\n");
                FaultServer.stall(exchange);
            }
        }); LiveStreamClient client = LiveStreamClient.builder(front.uri("/api/1/stream/demo"), "demo-token")
                .httpClient(trustingTheTestCertificate()).build()) {

            client.subscribe(received::add, failure -> { });

            Await.until("the record through the redirect", () -> !received.isEmpty());
            assertThat(front.requests()).extracting(request -> request.uri().getPath())
                    .containsExactly("/api/1/stream/demo", "/moved/api/1/stream/demo");
            assertThat(front.requests().get(1).header("Authorization")).isEqualTo("Bearer demo-token");
        }
    }

    private static HttpClient trustingTheTestCertificate() {
        return HttpClient.newBuilder().sslContext(SelfSignedTls.context()).build();
    }
}
