package io.cm.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Iterator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

/** The blocking-iterator style on the real server's stream (gzip, chunked, sync-flushed records). */
@Timeout(30)
class LiveStreamIteratorTest {

    private final RealServer server = Fixtures.liveServer();

    @Test
    void theIteratorYieldsEachEventAsItHappens() {
        try (LiveStreamClient client = LiveStreamClient.builder(Fixtures.streamUrl(server.port(), "iterator"), "demo-token")
                .clientId("iterating").build()) {
            Iterator<SessionEvent> events = client.events();
            Fixtures.awaitLiveConnections(server, "iterator", 1);

            String first = Fixtures.started(server, "iterated-1");
            assertThat(events.next()).asInstanceOf(type(SessionEvent.Started.class))
                    .extracting(SessionEvent.Started::sessionId).isEqualTo(first);
            String second = Fixtures.started(server, "iterated-2");
            assertThat(events.next()).asInstanceOf(type(SessionEvent.Started.class))
                    .extracting(SessionEvent.Started::sessionId).isEqualTo(second);
        }
    }
}
