package io.cm.server.events;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The stored form of a record: timestamp (8 bytes), tenant length (2) and UTF-8 tenant, then the JSON. */
final class RecordCodec {

    private static final int HEADER = Long.BYTES + Short.BYTES;

    private RecordCodec() {
    }

    static byte[] encode(long timestamp, String tenant, byte[] json) {
        byte[] name = tenant.getBytes(StandardCharsets.UTF_8);
        if (name.length > Short.MAX_VALUE) throw new IllegalArgumentException("tenant id too long: " + name.length + " bytes");
        return ByteBuffer.allocate(HEADER + name.length + json.length)
                .putLong(timestamp).putShort((short) name.length).put(name).put(json).array();
    }

    static EventRecord decode(long offset, byte[] stored) {
        ByteBuffer buffer = ByteBuffer.wrap(stored);
        long timestamp = buffer.getLong();
        int nameLength = buffer.getShort();
        String tenant = new String(stored, HEADER, nameLength, StandardCharsets.UTF_8);
        byte[] json = new byte[stored.length - HEADER - nameLength];
        buffer.position(HEADER + nameLength).get(json);
        return new EventRecord(offset, timestamp, tenant, json);
    }

    static long timestamp(byte[] stored) {
        return ByteBuffer.wrap(stored).getLong();
    }
}
