package io.cm.client;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Splits the decoded live stream into records at line ends (CRLF; a bare LF is read the same, since
 * JSON cannot hold a raw line break). Bounded, so a stream without line ends cannot exhaust memory.
 */
final class RecordReader {

    private static final int MAX_RECORD_BYTES = 1 << 20;

    private final InputStream in;
    private final ByteArrayOutputStream record = new ByteArrayOutputStream(1024);

    RecordReader(InputStream in) {
        this.in = in;
    }

    /** The next record ("" for a keepalive), or null where the stream ends cleanly. */
    String next() throws IOException {
        record.reset();
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (b == '\n') {
                int length = record.size();
                byte[] bytes = record.toByteArray();
                if (length > 0 && bytes[length - 1] == '\r') length--;
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            if (record.size() == MAX_RECORD_BYTES) {
                throw new IOException("a record longer than " + MAX_RECORD_BYTES + " bytes");
            }
            record.write(b);
        }
        if (record.size() > 0) throw new EOFException("the stream ended inside a record");
        return null;
    }
}
