package io.cm.server.stream;

import io.vertx.core.buffer.Buffer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * One gzip stream spread over the chunks of a response. Each {@link #compress} ends with a sync
 * flush, so a client inflates every record as soon as its chunk arrives instead of when the
 * compressor's window fills. Not thread-safe: used on its connection's event loop.
 */
final class GzipChunks {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    private final GZIPOutputStream gzip;
    private boolean closed;

    GzipChunks() {
        try {
            gzip = new FastGzip(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The gzip header (written by the constructor): the first chunk, so the response starts at once. */
    Buffer header() {
        return take();
    }

    /** Compresses {@code raw} and flushes: the chunk a client can inflate completely. */
    Buffer compress(ByteArrayOutputStream raw) {
        try {
            raw.writeTo(gzip);
            gzip.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return take();
    }

    /** Ends the gzip stream and frees the native compressor; returns the trailer (empty if already closed). */
    Buffer close() {
        if (!closed) {
            closed = true;
            try {
                gzip.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return take();
    }

    private Buffer take() {
        Buffer chunk = Buffer.buffer(out.toByteArray());
        out.reset();
        return chunk;
    }

    /** Level 1: several times faster than the default for about the same ratio on repetitive JSON. */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, 8192, true);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }
}
