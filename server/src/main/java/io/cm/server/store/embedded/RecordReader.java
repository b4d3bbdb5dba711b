package io.cm.server.store.embedded;

import java.nio.charset.StandardCharsets;

/** Reads the payload of one journal record, as {@link RecordBuffer} wrote it. Throws on bytes it cannot read. */
final class RecordReader {

    private final byte[] bytes;
    private int position;
    private final int limit;
    private final StringCache shared;

    /** @param shared where {@link #readSharedString} looks for strings read before */
    RecordReader(byte[] bytes, int offset, int length, StringCache shared) {
        this.bytes = bytes;
        this.position = offset;
        this.limit = offset + length;
        this.shared = shared;
    }

    boolean atEnd() {
        return position == limit;
    }

    int readByte() {
        require(1);
        return bytes[position++] & 0xFF;
    }

    long readLong() {
        require(8);
        long value = 0;
        for (int i = 0; i < 8; i++) value = (value << 8) | (bytes[position++] & 0xFF);
        return value;
    }

    int readVarInt() {
        long value = readVarLong();
        if (value > Integer.MAX_VALUE) throw new IllegalArgumentException("count out of range: " + value);
        return (int) value;
    }

    /** A number of items to follow, each at least one byte long: never more than the bytes left. */
    int readCount() {
        int count = readVarInt();
        if (count > limit - position) throw new IllegalArgumentException("count " + count + " beyond the record's end");
        return count;
    }

    long readSignedVarLong() {
        long zigzag = readVarLong();
        return (zigzag >>> 1) ^ -(zigzag & 1);
    }

    private long readVarLong() {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new IllegalArgumentException("variable-length number longer than 10 bytes");
    }

    /** A string unique to its record, such as a session id. */
    String readString() {
        int length = readVarInt();
        require(length);
        String value = new String(bytes, position, length, StandardCharsets.UTF_8);
        position += length;
        return value;
    }

    /** A string many records hold, such as a metadata key: the same instance as the last time these bytes were read. */
    String readSharedString() {
        int length = readVarInt();
        require(length);
        String value = shared.decode(bytes, position, length);
        position += length;
        return value;
    }

    private void require(int count) {
        if (count > limit - position) throw new IllegalArgumentException("record ends within a field");
    }
}
