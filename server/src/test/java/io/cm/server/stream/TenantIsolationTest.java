package io.cm.server.stream;

import io.cm.server.TestServer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.cm.server.stream.StreamFixture.DEMO_APP;
import static io.cm.server.stream.StreamFixture.OTHER_APP;
import static io.cm.server.stream.StreamFixture.start;
import static io.cm.server.stream.StreamFixture.startAll;
import static io.cm.server.stream.StreamFixture.subjects;
import static org.assertj.core.api.Assertions.assertThat;

/** A stream carries the events of its tenant only (SPEC §6), even for a visitor both tenants serve. */
class TenantIsolationTest {

    @Test
    void eventsOfOtherTenantsNeverAppear() {
        try (TestServer server = TestServer.withConfig(StreamFixture.config("", "demo"))) {
            start(server, DEMO_APP, "warm-up");
            start(server, OTHER_APP, "warm-up");
            try (StreamClient demo = StreamClient.get(server, "/api/1/stream/demo");
                 StreamClient other = StreamClient.get(server, "/api/1/stream/other")) {
                List<String> visitors = subjects("shared-visitor-", 10);
                for (String visitor : visitors) {
                    start(server, OTHER_APP, visitor);
                    start(server, DEMO_APP, visitor);
                }
                startAll(server, OTHER_APP, List.of("last"));
                startAll(server, DEMO_APP, List.of("last"));

                // Across visitors no order is promised: "last" may come before another visitor's start.
                List<String> expected = new java.util.ArrayList<>(visitors);
                expected.add("last");
                assertThat(demo.events(expected.size()))
                        .allSatisfy(event -> assertThat(event.path("tenant").asText()).isEqualTo("demo"))
                        .extracting(StreamFixture::subject).containsExactlyInAnyOrderElementsOf(expected);
                assertThat(other.events(expected.size()))
                        .allSatisfy(event -> assertThat(event.path("tenant").asText()).isEqualTo("other"))
                        .extracting(StreamFixture::subject).containsExactlyInAnyOrderElementsOf(expected);
            }
        }
    }
}
