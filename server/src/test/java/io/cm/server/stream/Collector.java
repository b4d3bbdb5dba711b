package io.cm.server.stream;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Reads the events of one connection on a thread of its own, so that a test can follow several at once. */
final class Collector implements AutoCloseable {

    private final StreamClient client;
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private final Thread reader;

    Collector(StreamClient client) {
        this.client = client;
        this.reader = Thread.ofVirtual().start(this::read);
    }

    private void read() {
        try {
            for (String record = client.nextRecord(); record != null; record = client.nextRecord()) {
                if (!record.isEmpty()) events.add(StreamClient.json(record));
            }
        } catch (RuntimeException closedOrTimedOut) {
            // the test closed the connection, or nothing came for the read timeout: either way, done
        }
    }

    List<JsonNode> events() {
        return List.copyOf(events);
    }

    @Override
    public void close() {
        client.close();
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
