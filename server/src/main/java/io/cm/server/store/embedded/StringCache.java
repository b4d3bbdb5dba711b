package io.cm.server.store.embedded;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Gives back one {@code String} for equal bytes met again while a journal file is read, so that what
 * repeats across sessions (metadata keys, application ids, identity providers, channels, platforms)
 * is held once in memory after a restart instead of once per session: less heap, and less for the
 * collector to copy while a million sessions are restored. Direct-mapped and bounded: a string that
 * misses simply replaces its slot. One reading thread only.
 */
final class StringCache {

    private static final int SLOTS = 4096;
    /** Longer strings are rarely shared; they are decoded without looking here. */
    private static final int MAX_LENGTH = 64;

    private final byte[][] keys = new byte[SLOTS][];
    private final String[] values = new String[SLOTS];

    String decode(byte[] bytes, int offset, int length) {
        if (length > MAX_LENGTH) return new String(bytes, offset, length, StandardCharsets.UTF_8);
        int hash = 1;
        for (int i = offset; i < offset + length; i++) hash = 31 * hash + bytes[i];
        int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
        byte[] key = keys[slot];
        if (key != null && Arrays.equals(key, 0, key.length, bytes, offset, offset + length)) return values[slot];
        String value = new String(bytes, offset, length, StandardCharsets.UTF_8);
        keys[slot] = Arrays.copyOfRange(bytes, offset, offset + length);
        values[slot] = value;
        return value;
    }
}
