package io.cm.client;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.zip.GZIPInputStream;

/**
 * The live-stream client's one reading thread: connect, read records until the connection ends, wait
 * as {@link ReconnectDelays} says, connect again; give up after {@code maxAttempts} attempts in a row
 * that did not connect, or at once when the service refuses for good.
 */
final class ConnectionLoop implements Runnable {

    private static final System.Logger LOG = System.getLogger(ConnectionLoop.class.getName());
    /** Inflate in small steps: a sync-flushed record is handed on as soon as its chunk arrives. */
    private static final int INFLATE_BUFFER = 512;

    /**
     * What the loop needs besides its collaborators; all validated by the builder. {@code firstUri} is
     * asked until a connection opens, with the {@code reset} the builder was given if any; {@code uri}
     * every time after, without: a reset repositions the stream, which a reconnect must not do.
     */
    record Settings(URI firstUri, URI uri, int maxAttempts, Duration idleTimeout, Clock clock, Scheduler scheduler) {
    }

    private final StreamConnector connector;
    private final Settings settings;
    private final ReconnectDelays delays;
    private final RecentHitIds seen;
    private final RecordSink sink;
    private volatile InputStream connection;
    private volatile boolean closed;

    ConnectionLoop(StreamConnector connector, Settings settings, ReconnectDelays delays, RecentHitIds seen,
                   RecordSink sink) {
        this.connector = connector;
        this.settings = settings;
        this.delays = delays;
        this.seen = seen;
        this.sink = sink;
    }

    @Override
    public void run() {
        try {
            connectUntilClosed();
        } catch (InterruptedException closing) {
            // close() interrupts the waits; nothing left to do
        } finally {
            sink.ended();
        }
    }

    private void connectUntilClosed() throws InterruptedException {
        int failures = 0;
        boolean connected = false;
        while (!closed) {
            Duration wait;
            try {
                StreamConnector.Opened opened = connector.open(connected ? settings.uri() : settings.firstUri());
                connected = true;
                failures = 0;
                read(opened);
                wait = delays.afterLoss();
            } catch (NotConnected failure) {
                if (failure.permanent() || ++failures >= settings.maxAttempts()) {
                    giveUp(failure, failures);
                    return;
                }
                wait = delays.afterFailure(failures, failure.retryAfter());
                LOG.log(System.Logger.Level.WARNING, "Live stream not connected: {0}", failure.getMessage());
            }
            if (closed) return;
            LOG.log(System.Logger.Level.INFO, "Connecting to the live stream again in {0}", wait);
            Waits.sleep(settings.scheduler(), wait);
        }
    }

    /** Delivers the records of one connection until it ends, however it ends. */
    private void read(StreamConnector.Opened opened) throws InterruptedException {
        InputStream body = opened.body();
        connection = body;
        try (body; IdleWatchdog watchdog = IdleWatchdog.watch(body, settings.idleTimeout(), settings.clock(),
                settings.scheduler())) {
            InputStream decoded = opened.gzip() ? new GZIPInputStream(body, INFLATE_BUFFER) : body;
            RecordReader records = new RecordReader(new BufferedInputStream(decoded, INFLATE_BUFFER));
            for (String record = records.next(); record != null && !closed; record = records.next()) {
                watchdog.pause();
                if (!record.isEmpty()) deliver(record);
                watchdog.resume();
            }
            LOG.log(System.Logger.Level.INFO, "The live stream ended the connection");
        } catch (IOException e) {
            if (!closed) LOG.log(System.Logger.Level.WARNING, "Live stream connection lost: {0}", e.toString());
        } finally {
            connection = null;
        }
    }

    /** Hands on a record read as a JSON object, typed, the first time its {@code hit_id} is seen. */
    private void deliver(String text) throws InterruptedException {
        JsonNode record;
        try {
            record = Json.MAPPER.readTree(text);
        } catch (JacksonException e) {
            LOG.log(System.Logger.Level.WARNING, "Skipped a live-stream record that is not JSON: {0}", text);
            return;
        }
        if (!record.isObject()) {
            LOG.log(System.Logger.Level.WARNING, "Skipped a live-stream record that is not a JSON object: {0}", text);
            return;
        }
        JsonNode hitId = record.path("hit_id");
        if (hitId.isTextual() && !seen.firstTime(hitId.asText())) return;
        sink.record(LiveRecords.event(record));
    }

    private void giveUp(NotConnected last, int failures) {
        if (closed) return;
        String why = last.permanent() ? last.getMessage()
                : failures + " attempts failed; the last: " + last.getMessage();
        LOG.log(System.Logger.Level.ERROR, "Gave up on the live stream: {0}", why);
        sink.failed(new LiveStreamException("Gave up on the live stream: " + why, last.status(), last.getCause()));
    }

    /** Ends the current connection and stops reconnecting; the owner interrupts the waits. */
    void close() {
        closed = true;
        InputStream current = connection;
        if (current == null) return;
        try {
            current.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "Closing the live stream connection failed", e);
        }
    }
}
