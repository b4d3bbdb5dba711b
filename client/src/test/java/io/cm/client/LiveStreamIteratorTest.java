package io.cm.client;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Iterator;

import static org.assertj.core.api.Assertions.assertThat;

/** The blocking-iterator style on the real server's stream (gzip, chunked, sync-flushed records). */
@Timeout(30)
class LiveStreamIteratorTest {

    private final RealServer server = Fixtures.liveServer();

    @Test
    void theIteratorYieldsEachEventAsItHappens() {
        try (LiveStreamClient client = LiveStreamClient.builder(Fixtures.streamUrl(server.port(), "iterator"), "demo-token")
                .clientId("iterating").build()) {
            Iterator<JsonNode> records = client.records();
            Fixtures.awaitLiveConnections(server, "iterator", 1);

            String first = Fixtures.started(server, "iterated-1");
            assertThat(records.next().path("sessionId").asText()).isEqualTo(first);
            String second = Fixtures.started(server, "iterated-2");
            assertThat(records.next().path("sessionId").asText()).isEqualTo(second);
        }
    }
}
