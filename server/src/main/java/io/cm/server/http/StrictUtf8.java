package io.cm.server.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Whether percent-encoded text decodes to valid UTF-8. Vert.x and Netty decode invalid sequences to
 * U+FFFD, so {@code %ff} and {@code %fe} would name the same subject and share its limits; names
 * and metadata are checked here first and refused instead.
 */
final class StrictUtf8 {

    private StrictUtf8() {
    }

    /**
     * @param raw percent-encoded text as it came off the wire, one char per byte (Netty reads the
     *            request line as ISO-8859-1); escapes that are not {@code %XX} are left to the decoders
     */
    static boolean isValid(String raw) {
        if (raw == null) return true;
        byte[] bytes = new byte[raw.length()];
        int n = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c > 0xFF) return true; // already decoded text, not bytes off the wire
            int high = c == '%' && i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
            int low = high >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
            if (low >= 0) {
                bytes[n++] = (byte) (high << 4 | low);
                i += 2;
            } else {
                bytes[n++] = (byte) c;
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, n));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
