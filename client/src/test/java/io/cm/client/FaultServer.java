package io.cm.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPOutputStream;

/**
 * A fake HTTP server for the faults the real server cannot produce (a throttle on the first request, a
 * lost answer, a malformed body, a redirect, a stalled stream), in plain HTTP or over TLS. It answers the {@code n}-th request
 * (0-based) with {@code responder} and records every request it got. The JDK's server writes the
 * {@code Date} header itself, from the real clock; {@link #in} gives times on that clock.
 */
final class FaultServer implements AutoCloseable {

    /** Answers one request. */
    @FunctionalInterface
    interface Responder {
        void respond(HttpExchange exchange, int index) throws IOException;
    }

    /** What a request carried. */
    record Request(String method, URI uri, Map<String, List<String>> headers) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private static final String CLOSING = "closing";
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final HttpServer server;
    /** One thread per exchange: a stalled stream must not hold up the next request. */
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    /** Released by {@link #close()}: what a stalling responder waits on. */
    private final CountDownLatch closing = new CountDownLatch(1);

    private FaultServer(HttpServer server, Responder responder) {
        this.server = server;
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            int index;
            synchronized (requests) {
                index = requests.size();
                requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI(),
                        Map.copyOf(exchange.getRequestHeaders())));
            }
            exchange.getRequestBody().readAllBytes();
            try {
                responder.respond(exchange, index);
            } finally {
                exchange.close();
            }
        }).getAttributes().put(CLOSING, closing);
        server.start();
    }

    static FaultServer start(Responder responder) {
        try {
            return new FaultServer(HttpServer.create(loopback(), 0), responder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same over TLS, with {@code tls}'s certificate (see {@link SelfSignedTls}). */
    static FaultServer startTls(SSLContext tls, Responder responder) {
        try {
            HttpsServer server = HttpsServer.create(loopback(), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(tls));
            return new FaultServer(server, responder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress("127.0.0.1", 0);
    }

    URI uri(String path) {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Blocks a responder until the server closes, as a peer that stopped sending would. */
    static void stall(HttpExchange exchange) {
        try {
            ((CountDownLatch) exchange.getHttpContext().getAttributes().get(CLOSING)).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Answers with {@code status}, {@code headers} and a JSON {@code body} (none if empty). */
    static void reply(HttpExchange exchange, int status, Map<String, String> headers, String body) throws IOException {
        headers.forEach(exchange.getResponseHeaders()::set);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (!body.isEmpty()) exchange.getResponseHeaders().set("Content-Type", "application/json;charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) exchange.getResponseBody().write(bytes);
    }

    /**
     * The HTTP date {@code seconds} after the {@code Date} this server sends. Both are whole seconds
     * of the real clock, so {@code Expires} − {@code Date} may come out a second short at a second's turn.
     */
    static String in(long seconds) {
        return HTTP_DATE.format(Instant.now().plusSeconds(seconds));
    }

    /** A 202 to a start or heartbeat as the real server sends it: a lease of {@code leaseSeconds}, and for a start the id. */
    static void accepted(HttpExchange exchange, String sessionId, long leaseSeconds) throws IOException {
        reply(exchange, 202, Map.of("Location", sessionId, "Expires", in(leaseSeconds)), "");
    }

    /** Starts a 200 and drops the connection inside its body: an answer lost on the way, which no client retries by itself. */
    static void cutShort(HttpExchange exchange) throws IOException {
        exchange.sendResponseHeaders(200, 1000);
        exchange.getResponseBody().write('{');
        exchange.getResponseBody().flush();
        // Closing the exchange (the handler's finally) with 999 bytes owed drops the connection.
    }

    /**
     * Starts a 200 live stream as the real server sends one: gzip over chunked transfer coding. Each
     * {@link GzipChunks#send} is one sync-flushed chunk.
     */
    static GzipChunks stream(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        exchange.sendResponseHeaders(200, 0);
        return new GzipChunks(new GZIPOutputStream(exchange.getResponseBody(), true));
    }

    /** The body of a live stream being written. */
    record GzipChunks(GZIPOutputStream gzip) {
        /** Sends {@code text} (records end with CRLF) as one chunk the client can inflate at once. */
        void send(String text) throws IOException {
            gzip.write(text.getBytes(StandardCharsets.UTF_8));
            gzip.flush();
        }

        /** Ends the gzip stream and the response cleanly. */
        void end() throws IOException {
            gzip.close();
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
