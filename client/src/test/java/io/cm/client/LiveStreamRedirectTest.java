package io.cm.client;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 302 is followed with the token and {@code Accept-Encoding} sent again (SPEC §7; {@code java.net.http}
 * would drop {@code Authorization}). A fake front redirects to the real server, which refuses any
 * request without both (401, 406): records arriving prove they were sent.
 */
@Timeout(30)
class LiveStreamRedirectTest {

    private final RealServer server = Fixtures.liveServer();

    @Test
    void aRedirectIsFollowedWithTheTokenAndTheGzipAcceptance() {
        String target = Fixtures.streamUrl(server.port(), "redirect") + "?maxConnections=1";
        List<JsonNode> received = new CopyOnWriteArrayList<>();
        try (FaultServer front = FaultServer.start((exchange, n) -> FaultServer.reply(exchange, 302,
                Map.of("Location", target), ""));
             LiveStreamClient client = LiveStreamClient.builder(front.uri("/api/1/stream/redirect"), "demo-token").build()) {
            client.subscribe(received::add, failure -> { });
            Fixtures.awaitLiveConnections(server, "redirect", 1);

            Fixtures.started(server, "redirected");

            Await.until("the event through the redirect", () -> received.stream()
                    .anyMatch(r -> r.path("subject").asText().equals("redirected")));
            assertThat(front.requests().get(0).header("Authorization")).isEqualTo("Bearer demo-token");
        }
    }
}
