package io.cm.server.store.embedded;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Framed journal records being built, so that a whole batch goes to the file in one write. A frame
 * is the payload's length (4 bytes), its CRC-32C (4 bytes), then the payload; a reader stops at the
 * first frame whose length or checksum does not hold, which is how a torn tail is recognised.
 * Numbers are variable-length (7 bits a byte), signed ones zigzag-encoded; strings are UTF-8 with
 * their length. Not thread-safe: one per writing thread.
 */
final class RecordBuffer {

    static final int FRAME_HEADER = 8;

    private final CRC32C crc = new CRC32C();
    private byte[] bytes;
    private int size;
    private int frameStart = -1;

    RecordBuffer(int initialCapacity) {
        bytes = new byte[initialCapacity];
    }

    int size() {
        return size;
    }

    void clear() {
        size = 0;
    }

    /** The bytes written so far, ready for a channel write; valid until the next change. */
    ByteBuffer contents() {
        return ByteBuffer.wrap(bytes, 0, size);
    }

    void beginFrame() {
        ensure(FRAME_HEADER);
        frameStart = size;
        size += FRAME_HEADER;
    }

    void endFrame() {
        int payload = size - frameStart - FRAME_HEADER;
        crc.reset();
        crc.update(bytes, frameStart + FRAME_HEADER, payload);
        putInt(frameStart, payload);
        putInt(frameStart + 4, (int) crc.getValue());
        frameStart = -1;
    }

    /** Drops the frame begun last, e.g. when its payload could not be encoded. */
    void abandonFrame() {
        if (frameStart >= 0) size = frameStart;
        frameStart = -1;
    }

    void writeByte(int value) {
        ensure(1);
        bytes[size++] = (byte) value;
    }

    void writeLong(long value) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) bytes[size++] = (byte) (value >>> shift);
    }

    /** A non-negative int in 1 to 5 bytes. */
    void writeVarInt(int value) {
        writeVarLong(value & 0xFFFFFFFFL);
    }

    /** Any long, zigzag-encoded so that small magnitudes of either sign stay short. */
    void writeSignedVarLong(long value) {
        writeVarLong((value << 1) ^ (value >> 63));
    }

    private void writeVarLong(long value) {
        ensure(10);
        while ((value & ~0x7FL) != 0) {
            bytes[size++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[size++] = (byte) value;
    }

    void writeString(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        writeVarInt(utf8.length);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, bytes, size, utf8.length);
        size += utf8.length;
    }

    private void putInt(int at, int value) {
        bytes[at] = (byte) (value >>> 24);
        bytes[at + 1] = (byte) (value >>> 16);
        bytes[at + 2] = (byte) (value >>> 8);
        bytes[at + 3] = (byte) value;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
}
