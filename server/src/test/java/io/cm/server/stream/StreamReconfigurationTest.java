package io.cm.server.stream;

import io.cm.server.TestServer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static io.cm.server.stream.StreamFixture.DEMO_APP;
import static io.cm.server.stream.StreamFixture.assertStreamError;
import static io.cm.server.stream.StreamFixture.start;
import static org.assertj.core.api.Assertions.assertThat;

/** Live streams added, changed and removed through the admin API while the server runs (SPEC §9). */
class StreamReconfigurationTest {

    private static final String ADMIN_TOKEN = "stream-test-admin-token";

    private static HttpResponse<String> admin(TestServer server, String method, String path, String body) {
        HttpResponse<String> response = server.send(HttpRequest.newBuilder(server.uri("/admin/v1" + path))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return response;
    }

    private static StreamClient connect(TestServer server, String stream, String token) {
        return StreamClient.request(server, "/api/1/stream/" + stream).header("Authorization", "Bearer " + token).open();
    }

    @Test
    void aStreamAddedIsServedAChangedOneEndsItsConnectionsAndTakesTheNewTokenAndARemovedOneIsGone() {
        try (TestServer server = TestServer.demo(Map.of("CM_ADMIN_TOKEN", ADMIN_TOKEN))) {
            // A caller holding some stream's token learns the name is unknown (SPEC §6: 401 before 404).
            assertStreamError(connect(server, "extra", StreamClient.TOKEN), 404, "stream_not_found");

            admin(server, "PUT", "/streams/extra", "{\"tenant\":\"demo\",\"tokens\":[\"extra-token-1\"]}");
            start(server, DEMO_APP, "before-connecting");
            try (StreamClient first = connect(server, "extra", "extra-token-1")) {
                assertThat(first.status()).isEqualTo(200);
                start(server, DEMO_APP, "seen-live");
                assertThat(first.events(1).getFirst().path("subject").asText()).isEqualTo("seen-live");

                admin(server, "PUT", "/streams/extra", "{\"tenant\":\"demo\",\"tokens\":[\"extra-token-2\"]}");

                assertThat(first.rest()).as("the connection of the old token ends").allMatch(String::isEmpty);
            }
            assertStreamError(connect(server, "extra", "extra-token-1"), 401, "invalid_token");
            try (StreamClient second = connect(server, "extra", "extra-token-2")) {
                assertThat(second.status()).isEqualTo(200);
            }
            try (StreamClient demo = connect(server, "demo", StreamClient.TOKEN)) {
                assertThat(demo.status()).as("an unchanged stream is untouched").isEqualTo(200);
            }

            admin(server, "DELETE", "/streams/extra", null);

            assertStreamError(connect(server, "extra", StreamClient.TOKEN), 404, "stream_not_found");
            assertStreamError(connect(server, "extra", "extra-token-2"), 401, "invalid_token");
        }
    }
}
