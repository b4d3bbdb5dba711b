package io.cm.server.stream;

import io.cm.server.events.GroupMember;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One live connection: a chunked, gzip response carrying the records its {@link GroupMember} takes,
 * each JSON followed by CRLF, and a lone CRLF when idle (SPEC §6).
 *
 * <p>Everything but {@link #wake()}, {@link #evicted} and {@link #close()} runs on the connection's
 * event loop. It writes only while Vert.x's write queue has room and resumes on drain, so a slow
 * consumer holds at most the write queue ({@link #WRITE_QUEUE_BYTES}) and one chunk in memory and
 * lags behind in the log instead — it never holds up decisions or other connections. A write that
 * completed marks its records delivered; a failed write or a closed socket releases the slot at once,
 * telling the group whether the end was clean (the peer closed, or the server ended it) or not.
 */
final class LiveStreamConnection implements GroupMember.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(LiveStreamConnection.class);
    private static final byte[] CRLF = {'\r', '\n'};
    /** Raw bytes taken for one chunk (one gzip flush, one write). */
    private static final int CHUNK_BYTES = 64 * 1024;
    /** Raw bytes taken per turn on the event loop before yielding it to other work. */
    private static final int TURN_BYTES = 256 * 1024;
    private static final int WRITE_QUEUE_BYTES = 256 * 1024;

    private final LiveStreams streams;
    private final LiveStream stream;
    private final HttpServerResponse response;
    private final HttpConnection connection;
    private final Context context;
    private final AtomicBoolean pumpScheduled = new AtomicBoolean();
    private final ByteArrayOutputStream records = new ByteArrayOutputStream();
    private GroupMember member;
    /** Made by {@link #start}: a refused connection never holds a native compressor. */
    private GzipChunks gzip;
    /** What the records taken since the last write need done once a write carrying them completes. */
    private List<Runnable> unwritten = new ArrayList<>();
    private long keepaliveTimer = -1;
    private long lastWrite;
    private boolean ended;
    private boolean released;
    /** The socket failed or the connection was replaced: its peer may not have read what it was sent. */
    private boolean unclean;

    LiveStreamConnection(LiveStreams streams, LiveStream stream, HttpServerResponse response, HttpConnection connection,
                         Context context) {
        this.streams = streams;
        this.stream = stream;
        this.response = response;
        this.connection = connection;
        this.context = context;
    }

    /** Sends the 200 and the gzip header, then whatever {@code member} has. */
    void start(GroupMember member, Duration keepalive) {
        this.member = member;
        streams.opened(this);
        response.setStatusCode(200)
                .setChunked(true)
                .putHeader("Content-Type", "application/json")
                .putHeader("Content-Encoding", "gzip")
                .setWriteQueueMaxSize(WRITE_QUEUE_BYTES)
                .drainHandler(v -> pump())
                .closeHandler(v -> release())
                .exceptionHandler(e -> {
                    // Vert.x reports the close itself as an HttpClosedException; a reset comes as an IOException.
                    if (!(e instanceof HttpClosedException)) unclean = true;
                    LOG.debug("Live stream {} connection failed", stream.name(), e);
                });
        if (response.closed() || ended) {
            release();
            return;
        }
        gzip = new GzipChunks();
        write(gzip.header());
        // Checking every half period and writing when idle that long keeps any gap under one period.
        long half = Math.max(1, keepalive.toMillis() / 2);
        keepaliveTimer = context.owner().setPeriodic(half, timer -> keepalive(TimeUnit.MILLISECONDS.toNanos(half)));
        pump();
    }

    /** New records may be ready: pump once on the connection's event loop (callable from any thread). */
    @Override
    public void wake() {
        if (pumpScheduled.compareAndSet(false, true)) context.runOnContext(v -> pump());
    }

    /** Replaced by a connection with the same clientId: ends this one (callable from any thread). */
    @Override
    public void evicted(String why) {
        context.runOnContext(v -> {
            LOG.debug("Live stream {} connection {}", stream.name(), why);
            unclean = true;
            if (member == null) {
                ended = true;
            } else {
                end(Buffer.buffer());
            }
        });
    }

    /** Ends the response cleanly (gzip trailer) and closes the socket; callable from any thread. */
    LiveStream stream() {
        return stream;
    }

    Future<Void> close() {
        Promise<Void> closed = Promise.promise();
        context.runOnContext(v -> end(Buffer.buffer()).onComplete(closed));
        return closed.future();
    }

    /** Sends what the member has while the socket takes it, a bounded turn at a time. */
    private void pump() {
        pumpScheduled.set(false);
        long turn = 0;
        while (!ended && member != null && turn < TURN_BYTES && !response.writeQueueFull()) {
            GroupMember.Taken taken = member.take(records, CHUNK_BYTES);
            if (taken.isNothing()) return;
            unwritten.add(taken.delivered());
            streams.sent(stream, taken.records());
            if (taken.last()) {
                end(compressRecords());
                return;
            }
            if (records.size() > 0) write(compressRecords());
            turn += taken.scanned();
        }
        // More to send: yield the event loop to other connections and requests, then go on.
        if (!ended && turn >= TURN_BYTES) wake();
    }

    private void keepalive(long idleNanos) {
        if (!ended && System.nanoTime() - lastWrite >= idleNanos && !response.writeQueueFull()) {
            records.writeBytes(CRLF);
            write(compressRecords());
        }
    }

    private Buffer compressRecords() {
        Buffer chunk = gzip.compress(records);
        records.reset();
        return chunk;
    }

    private void write(Buffer chunk) {
        List<Runnable> confirmed = takeUnwritten();
        lastWrite = System.nanoTime();
        response.write(chunk).onComplete(written -> {
            if (written.succeeded()) {
                confirmed.forEach(Runnable::run);
            } else {
                LOG.debug("Live stream {} connection lost: {}", stream.name(), written.cause().toString());
                // A write that failed because the connection had closed says nothing of how it closed.
                if (!(written.cause() instanceof HttpClosedException || written.cause() instanceof ClosedChannelException)) {
                    unclean = true;
                }
                connection.close();
                release();
            }
        });
    }

    private List<Runnable> takeUnwritten() {
        List<Runnable> taken = unwritten;
        unwritten = new ArrayList<>();
        return taken;
    }

    /** Writes {@code last} and the gzip trailer, then closes; the group learns at once that the slot is free. */
    private Future<Void> end(Buffer last) {
        if (ended || gzip == null) return Future.succeededFuture();
        ended = true;
        List<Runnable> confirmed = takeUnwritten();
        Future<Void> done = response.end(last.appendBuffer(gzip.close()))
                .onSuccess(v -> confirmed.forEach(Runnable::run))
                .onComplete(v -> connection.close());
        release();
        return done;
    }

    /** Gives the slot back: the connection ended, its socket closed, or a write failed. */
    private void release() {
        if (released) return;
        released = true;
        ended = true;
        streams.closed(this);
        if (keepaliveTimer >= 0) context.owner().cancelTimer(keepaliveTimer);
        if (gzip != null) gzip.close();
        if (member != null) member.leave(!unclean);
    }
}
