package io.cm.server.stream;

import io.cm.server.TestServer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Stream;

import static io.cm.server.stream.StreamFixture.DEMO_APP;
import static io.cm.server.stream.StreamFixture.start;
import static org.assertj.core.api.Assertions.assertThat;

/** An idle connection gets empty records (a lone CRLF) so that a dead peer is found by a failed write (SPEC §6). */
class KeepaliveTest {

    @Test
    void anIdleStreamCarriesEmptyRecords() {
        try (TestServer server = TestServer.withConfig(StreamFixture.config("delivery:\n  keepalive: 300ms\n", "idle"))) {
            start(server, DEMO_APP, "warm-up");
            try (StreamClient stream = StreamClient.get(server, "/api/1/stream/idle")) {
                List<String> records = Stream.generate(stream::nextRecord).limit(3).toList();

                assertThat(records).containsExactly("", "", "");
            }
        }
    }
}
