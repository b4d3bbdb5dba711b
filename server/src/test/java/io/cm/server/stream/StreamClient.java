package io.cm.server.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cm.server.TestServer;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A live-stream client on a raw socket, as a consumer would write one: it sends the request bytes
 * itself, and decodes the chunked transfer coding and the gzip content coding of a 200 itself.
 * Reads time out after {@link #READ_TIMEOUT_MILLIS}, so a missing record fails a test instead of
 * hanging it.
 */
final class StreamClient implements AutoCloseable {

    static final String TOKEN = "demo-token";
    private static final int READ_TIMEOUT_MILLIS = 20_000;
    private static final long EVENTS_PATIENCE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Socket socket;
    private final int status;
    private final Map<String, String> headers;
    private final InputStream records;
    private final String errorBody;

    private StreamClient(Socket socket, int status, Map<String, String> headers, InputStream records,
                         String errorBody) {
        this.socket = socket;
        this.status = status;
        this.headers = headers;
        this.records = records;
        this.errorBody = errorBody;
    }

    /** {@code GET path} over HTTP/1.1 with the demo token and {@code Accept-Encoding: gzip}. */
    static StreamClient get(TestServer server, String path) {
        return request(server, path).open();
    }

    static Request request(TestServer server, String path) {
        return new Request(server, path);
    }

    int status() {
        return status;
    }

    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The JSON error body of a refused request. */
    JsonNode error() {
        try {
            return JSON.readTree(errorBody);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + errorBody, e);
        }
    }

    /** The next record: a JSON text, "" for an empty (keepalive) record, or null at the end of the stream. */
    String nextRecord() {
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        try {
            int previous = -1;
            for (int b = records.read(); b >= 0; previous = b, b = records.read()) {
                if (previous == '\r' && b == '\n') {
                    return new String(record.toByteArray(), 0, record.size() - 1, StandardCharsets.UTF_8);
                }
                record.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (record.size() > 0) throw new AssertionError("stream ended inside a record: " + record);
        return null;
    }

    /**
     * The next {@code count} events (non-empty records); fails if the stream ends first, or if they
     * have not all come within {@link #EVENTS_PATIENCE_NANOS} (keepalives alone never end a wait).
     */
    List<JsonNode> events(int count) {
        List<JsonNode> events = new ArrayList<>();
        long deadline = System.nanoTime() + EVENTS_PATIENCE_NANOS;
        while (events.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + events.size() + " of " + count + " events came in time");
            }
            String record = nextRecord();
            if (record == null) throw new AssertionError("stream ended after " + events.size() + " of " + count + " events");
            if (!record.isEmpty()) events.add(json(record));
        }
        return events;
    }

    /** Events until {@code last} arrives (included); fails if the stream ends first. */
    List<JsonNode> eventsUntil(java.util.function.Predicate<JsonNode> last) {
        List<JsonNode> events = new ArrayList<>();
        while (events.isEmpty() || !last.test(events.getLast())) events.addAll(events(1));
        return events;
    }

    /** The events that come before the first empty (keepalive) record, i.e. all the server had to send. */
    List<JsonNode> eventsUntilIdle() {
        List<JsonNode> events = new ArrayList<>();
        for (String record = nextRecord(); record != null && !record.isEmpty(); record = nextRecord()) {
            events.add(json(record));
        }
        return events;
    }

    /** Every record left until the server ends the stream (including its gzip trailer and last chunk). */
    List<String> rest() {
        List<String> rest = new ArrayList<>();
        for (String record = nextRecord(); record != null; record = nextRecord()) rest.add(record);
        return rest;
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /**
     * Closes the way a consumer that is done closes: it says so (FIN) and reads what was already on
     * its way until the server closes too. Returns those events.
     */
    List<JsonNode> finish() {
        List<JsonNode> events = new ArrayList<>();
        try {
            socket.shutdownOutput();
            for (String record = nextRecord(); record != null; record = nextRecord()) {
                if (!record.isEmpty()) events.add(json(record));
            }
        } catch (IOException | UncheckedIOException | AssertionError cutOff) {
            // the server closed the socket in the middle of its gzip stream: the connection is over
        }
        close();
        return events;
    }

    /** Drops the connection the way a crashed client's host does: a TCP reset, no FIN, no gzip end. */
    void reset() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The request to send; defaults as {@link #get}. */
    static final class Request {
        private final TestServer server;
        private final String path;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private String method = "GET";
        private String version = "HTTP/1.1";

        private Request(TestServer server, String path) {
            this.server = server;
            this.path = path;
            headers.put("Host", "127.0.0.1:" + server.port());
            headers.put("Authorization", "Bearer " + TOKEN);
            headers.put("Accept-Encoding", "gzip");
        }

        Request method(String method) {
            this.method = method;
            return this;
        }

        Request version(String version) {
            this.version = version;
            return this;
        }

        Request header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        Request without(String header) {
            headers.remove(header);
            return this;
        }

        StreamClient open() {
            Socket socket = null;
            try {
                socket = server.socket();
                socket.setSoTimeout(READ_TIMEOUT_MILLIS);
                StringBuilder request = new StringBuilder(method + " " + path + " " + version + "\r\n");
                headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
                OutputStream out = socket.getOutputStream();
                out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                return read(socket);
            } catch (IOException e) {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // the original failure is the one to report
                    }
                }
                throw new UncheckedIOException(e);
            }
        }

        private static StreamClient read(Socket socket) throws IOException {
            InputStream in = socket.getInputStream();
            String[] head = head(in).split("\r\n");
            int status = Integer.parseInt(head[0].split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < head.length; i++) {
                int colon = head[i].indexOf(':');
                headers.put(head[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), head[i].substring(colon + 1).trim());
            }
            if (status == 200) {
                // Single-byte reads from a buffer that fills with one read: a record is returned as soon
                // as its chunk arrives (readers that ask available() would wait for the next chunk).
                InputStream body = new BufferedInputStream(new GZIPInputStream(new ChunkedInputStream(in), 512));
                return new StreamClient(socket, status, headers, body, null);
            }
            String length = headers.get("content-length");
            byte[] body = length == null ? in.readAllBytes() : in.readNBytes(Integer.parseInt(length));
            return new StreamClient(socket, status, headers, null, new String(body, StandardCharsets.UTF_8));
        }

        private static String head(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) throw new IOException("connection closed in the response head: " + head);
                head.write(b);
            }
            return head.toString(StandardCharsets.ISO_8859_1).trim();
        }
    }

    /** The chunked transfer coding (RFC 9112 §7.1), returning each chunk's bytes as they arrive. */
    private static final class ChunkedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;
        private boolean last;

        ChunkedInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (last) return -1;
            if (remaining == 0) {
                remaining = Long.parseLong(line().split(";")[0].trim(), 16);
                if (remaining == 0) {
                    last = true;
                    line(); // the empty line after the last chunk (no trailers)
                    return -1;
                }
            }
            int n = in.read(buffer, offset, (int) Math.min(length, remaining));
            if (n < 0) throw new IOException("connection closed inside a chunk");
            remaining -= n;
            if (remaining == 0) line(); // the CRLF ending the chunk data
            return n;
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) throw new IOException("connection closed in a chunk header");
                if (b != '\r') line.append((char) b);
            }
            return line.toString();
        }
    }
}
