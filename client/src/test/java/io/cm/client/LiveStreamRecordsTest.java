package io.cm.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the live-stream client delivers (SPEC §6–§7): the JSON records of a gzip, chunked body split at
 * CRLF, each once; never a keepalive, a repeat (by {@code hit_id}) or a line that is not JSON. A fake
 * server writes the exact bytes, including a record split over two chunks.
 */
@Timeout(30)
class LiveStreamRecordsTest {

    private final ManualClock clock = Fixtures.localClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);

    private LiveStreamClient client(FaultServer fault) {
        return LiveStreamClient.builder(fault.uri("/api/1/stream/demo"), "demo-token").clock(clock).scheduler(scheduler)
                .build();
    }

    private static List<String> hitIds(Iterator<SessionEvent> records, int count) {
        List<String> ids = new ArrayList<>();
        while (ids.size() < count) ids.add(records.next().raw().path("hit_id").asText("-"));
        return ids;
    }

    @Test
    void keepalivesRepeatsAndLinesThatAreNotJsonAreNotDelivered() throws Exception {
        try (FaultServer fault = FaultServer.start((exchange, n) -> {
            FaultServer.GzipChunks body = FaultServer.stream(exchange);
            body.send("{\"hit_id\":\"a\"}\r\n");
            body.send("\r\n");
            body.send("{\"hit_id\":");
            body.send("\"b\"}\r\n\r\n");
            body.send("{\"hit_id\":\"a\"}\r\n");
            body.send("not json\r\n[1,2]\r\n");
            body.send("{\"type\":\"stream.behind-retention\"}\r\n{\"hit_id\":\"c\"}\r\n");
            FaultServer.stall(exchange);
        }); LiveStreamClient client = client(fault)) {

            Iterator<SessionEvent> records = client.events();

            assertThat(hitIds(records, 4)).containsExactly("a", "b", "-", "c");
        }
    }

    @Test
    void aRecordRepeatedByTheNextConnectionIsDeliveredOnce() throws Exception {
        try (FaultServer fault = FaultServer.start((exchange, n) -> {
            FaultServer.GzipChunks body = FaultServer.stream(exchange);
            if (n == 0) {
                body.send("{\"hit_id\":\"a\"}\r\n{\"hit_id\":\"b\"}\r\n");
                body.end();
            } else {
                body.send("{\"hit_id\":\"b\"}\r\n{\"hit_id\":\"c\"}\r\n");
                FaultServer.stall(exchange);
            }
        }); LiveStreamClient client = client(fault)) {
            Iterator<SessionEvent> records = client.events();
            assertThat(hitIds(records, 2)).containsExactly("a", "b");

            scheduler.advance(scheduler.awaitEntry(1).delay()); // #0 is the first connection's idle watchdog

            assertThat(hitIds(records, 1)).containsExactly("c");
        }
    }

    @Test
    void theIteratorEndsWhenTheClientIsClosed() throws Exception {
        try (FaultServer fault = FaultServer.start((exchange, n) -> {
            FaultServer.stream(exchange).send("{\"hit_id\":\"a\"}\r\n");
            FaultServer.stall(exchange);
        })) {
            LiveStreamClient client = client(fault);
            Iterator<SessionEvent> records = client.events();
            assertThat(hitIds(records, 1)).containsExactly("a");

            client.close();

            assertThat(records.hasNext()).isFalse();
        }
    }
}
