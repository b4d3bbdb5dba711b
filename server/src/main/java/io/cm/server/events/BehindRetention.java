package io.cm.server.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * The record that tells a consumer that events of some partitions were removed by retention before
 * its connection could send them: {@code {"type":"stream.behind-retention","timestamp",
 * "partitions","description"}} and CRLF. The connection ends after it; the next one continues with
 * the oldest retained event.
 */
public final class BehindRetention {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] CRLF = {'\r', '\n'};

    private BehindRetention() {
    }

    public static byte[] record(long epochMillis, Collection<Integer> partitions) {
        ObjectNode marker = JSON.createObjectNode();
        marker.put("type", "stream.behind-retention");
        marker.put("timestamp", EventTimestamps.format(epochMillis));
        ArrayNode list = marker.putArray("partitions");
        partitions.forEach(list::add);
        marker.put("description", "Events of these partitions were removed by retention before this connection "
                + "could send them. The connection closes; the next one continues with the oldest retained event.");
        byte[] json = marker.toString().getBytes(StandardCharsets.UTF_8);
        byte[] record = new byte[json.length + CRLF.length];
        System.arraycopy(json, 0, record, 0, json.length);
        System.arraycopy(CRLF, 0, record, json.length, CRLF.length);
        return record;
    }
}
