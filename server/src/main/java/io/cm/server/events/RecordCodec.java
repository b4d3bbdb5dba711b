package io.cm.server.events;

import io.cm.core.event.SessionEventType;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A record as a segment file holds it: {@code int} body length, {@code int} CRC32C of the body,
 * then the body: {@code long} timestamp (epoch ms, for time retention), {@code byte} event type,
 * {@code short} tenant length and the UTF-8 tenant (so a stream filters without parsing JSON), and
 * the event's JSON (SPEC §5), encoded once by the log's writer and copied to sockets as it is.
 * The checksum finds a record torn by a crash in the middle of a write.
 */
final class RecordCodec {

    static final int HEADER = 2 * Integer.BYTES;
    private static final int FIXED_BODY = Long.BYTES + Byte.BYTES + Short.BYTES;
    /** Far above any event (metadata is bounded); a larger length can only be garbage. */
    static final int MAX_BODY = 16 << 20;
    /** Type codes are part of the file format: a new type gets a new code at the end, never a reused one. */
    private static final List<SessionEventType> TYPES = List.of(SessionEventType.STARTED, SessionEventType.HEARTBEAT,
            SessionEventType.DENIED, SessionEventType.STOPPED, SessionEventType.EXPIRED, SessionEventType.KILLED,
            SessionEventType.DISMISSED);
    private static final Map<SessionEventType, Byte> CODES = codes();

    private RecordCodec() {
    }

    private static Map<SessionEventType, Byte> codes() {
        Map<SessionEventType, Byte> codes = new EnumMap<>(SessionEventType.class);
        for (int i = 0; i < TYPES.size(); i++) codes.put(TYPES.get(i), (byte) i);
        if (codes.size() != SessionEventType.values().length) throw new IllegalStateException("an event type has no code");
        return codes;
    }

    static int size(byte[] tenant, byte[] json) {
        return HEADER + FIXED_BODY + tenant.length + json.length;
    }

    /** Writes the record at {@code into}'s position, which must have {@link #size} bytes of room. */
    static void encode(ByteBuffer into, long timestamp, SessionEventType type, byte[] tenant, byte[] json) {
        if (tenant.length > Short.MAX_VALUE) throw new IllegalArgumentException("tenant id too long: " + tenant.length + " bytes");
        int bodyLength = FIXED_BODY + tenant.length + json.length;
        int start = into.position();
        into.putInt(bodyLength).putInt(0)
                .putLong(timestamp).put(CODES.get(type)).putShort((short) tenant.length).put(tenant).put(json);
        into.putInt(start + Integer.BYTES, crc(into, start + HEADER, bodyLength));
    }

    /**
     * The length of the whole record at {@code buffer}'s position if it is complete and its checksum
     * matches, else -1 (a torn or garbled record). Does not move the position.
     */
    static int validLength(ByteBuffer buffer) {
        int at = buffer.position();
        if (buffer.remaining() < HEADER) return -1;
        int bodyLength = buffer.getInt(at);
        if (bodyLength < FIXED_BODY || bodyLength > MAX_BODY || buffer.remaining() < HEADER + bodyLength) return -1;
        return crc(buffer, at + HEADER, bodyLength) == buffer.getInt(at + Integer.BYTES) ? HEADER + bodyLength : -1;
    }

    /** The timestamp of the (valid) record at {@code buffer}'s position. */
    static long timestamp(ByteBuffer buffer) {
        return buffer.getLong(buffer.position() + HEADER);
    }

    /** Reads the record at {@code buffer}'s position, which moves past it; the checksum is not checked again. */
    static EventRecord decode(long offset, ByteBuffer buffer) {
        int bodyLength = buffer.getInt();
        buffer.getInt();
        long timestamp = buffer.getLong();
        SessionEventType type = TYPES.get(buffer.get());
        byte[] tenant = new byte[buffer.getShort()];
        buffer.get(tenant);
        byte[] json = new byte[bodyLength - FIXED_BODY - tenant.length];
        buffer.get(json);
        return new EventRecord(offset, timestamp, type, new String(tenant, StandardCharsets.UTF_8), json);
    }

    private static int crc(ByteBuffer buffer, int from, int length) {
        CRC32C crc = new CRC32C();
        if (buffer.hasArray()) {
            crc.update(buffer.array(), buffer.arrayOffset() + from, length);
        } else {
            crc.update(buffer.slice(from, length));
        }
        return (int) crc.getValue();
    }
}
