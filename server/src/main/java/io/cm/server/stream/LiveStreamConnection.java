package io.cm.server.stream;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cm.server.events.EventFeed;
import io.cm.server.events.EventTimestamps;
import io.cm.server.events.EventRecord;
import io.cm.server.http.EvaluationJson;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One live connection: a chunked, gzip response carrying the records of the partitions its stream
 * assigns to it, each JSON followed by CRLF, and a lone CRLF when idle (SPEC §6).
 *
 * <p>Everything but {@link #wake()} and {@link #close()} runs on the connection's event loop.
 * It writes only while Vert.x's write queue has room and resumes on drain, so a slow consumer
 * holds at most the write queue ({@link #WRITE_QUEUE_BYTES}) and one chunk in memory and lags
 * behind in the log instead — it never holds up decisions or other connections. A failed write or
 * a closed socket releases its slot at once.
 */
final class LiveStreamConnection {

    private static final Logger LOG = LoggerFactory.getLogger(LiveStreamConnection.class);
    private static final AtomicLong IDS = new AtomicLong();
    private static final byte[] CRLF = {'\r', '\n'};
    /** Records read from a partition at a time: enough to amortise a read, few enough to interleave partitions. */
    private static final int RECORDS_PER_READ = 128;
    /** Raw bytes read for one chunk (one gzip flush, one write). */
    private static final int CHUNK_BYTES = 64 * 1024;
    /** Raw bytes read per turn on the event loop before yielding it to other work. */
    private static final int TURN_BYTES = 256 * 1024;
    private static final int WRITE_QUEUE_BYTES = 256 * 1024;
    private static final String BEHIND_RETENTION = "stream.behind-retention";
    private static final long NOTHING = -1;

    private final long id = IDS.incrementAndGet();
    private final LiveStream stream;
    private final EventFeed feed;
    private final Optional<String> clientId;
    private final HttpServerResponse response;
    private final HttpConnection connection;
    private final Context context;
    private final Clock clock;
    private final AtomicBoolean pumpScheduled = new AtomicBoolean();
    /** Made by {@link #start}: a refused connection never holds a native compressor. */
    private GzipChunks gzip;
    private final ByteArrayOutputStream records = new ByteArrayOutputStream();
    /**
     * Per partition, the offset read up to since the last write ({@link #NOTHING} if none): confirmed
     * as flushed when the next write completes, even when the records were another tenant's.
     */
    private long[] unwritten;
    private int firstPartition;
    private long keepaliveTimer = -1;
    private long lastWrite;
    private boolean ended;
    private boolean released;

    LiveStreamConnection(LiveStream stream, Optional<String> clientId, HttpServerResponse response,
                         HttpConnection connection, Context context, Clock clock) {
        this.stream = stream;
        this.feed = stream.feed();
        this.clientId = clientId;
        this.response = response;
        this.connection = connection;
        this.context = context;
        this.clock = clock;
        this.unwritten = nothingUnwritten();
    }

    long id() {
        return id;
    }

    Optional<String> clientId() {
        return clientId;
    }

    /** Sends the 200 and the gzip header, then whatever the connection's partitions hold. */
    void start(Duration keepalive) {
        response.setStatusCode(200)
                .setChunked(true)
                .putHeader("Content-Type", "application/json")
                .putHeader("Content-Encoding", "gzip")
                .setWriteQueueMaxSize(WRITE_QUEUE_BYTES)
                .drainHandler(v -> pump())
                .closeHandler(v -> release())
                .exceptionHandler(e -> LOG.debug("Live stream {} connection {} failed", stream.name(), id, e));
        if (response.closed()) {
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

    /** New records may be readable: pump once on the connection's event loop (callable from any thread). */
    void wake() {
        if (pumpScheduled.compareAndSet(false, true)) context.runOnContext(v -> pump());
    }

    /** Ends the response cleanly (gzip trailer) and closes the socket; callable from any thread. */
    Future<Void> close() {
        Promise<Void> closed = Promise.promise();
        context.runOnContext(v -> end(Optional.empty()).onComplete(closed));
        return closed.future();
    }

    /** Sends what the connection's partitions hold while the socket takes it, a bounded turn at a time. */
    private void pump() {
        pumpScheduled.set(false);
        long turn = 0;
        while (!ended && turn < TURN_BYTES && !response.writeQueueFull()) {
            long chunk = sendChunk();
            if (chunk == 0) return;
            turn += chunk;
        }
        // More to send: yield the event loop to other connections and requests, then go on.
        if (!ended && turn >= TURN_BYTES) wake();
    }

    /**
     * Reads the owned partitions, starting with a different one each time so that none starves,
     * until about {@link #CHUNK_BYTES}, and writes what belongs to the stream as one chunk.
     * Returns the bytes read, 0 when there was nothing (or the connection ended).
     */
    private long sendChunk() {
        int[] owned = stream.partitionsOf(this);
        List<Gap> gaps = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < owned.length && bytes < CHUNK_BYTES; i++) {
            bytes += read(owned[(firstPartition + i) % owned.length], gaps);
        }
        firstPartition++;
        if (!gaps.isEmpty()) {
            behindRetention(gaps);
            return 0;
        }
        if (records.size() > 0) write(compressRecords());
        return bytes;
    }

    /**
     * Reads the partition's next records, keeping those the stream carries (its tenant, its event
     * types) in {@link #records}; returns the bytes read (of all records: a stream over a quiet
     * tenant still walks the log).
     */
    private long read(int partition, List<Gap> gaps) {
        PartitionCursor cursor = stream.cursor(partition);
        OptionalLong next = cursor.next(id);
        if (next.isEmpty()) return 0;
        long from = next.getAsLong();
        long oldest = feed.oldest(partition);
        if (from < oldest) {
            gaps.add(new Gap(partition, from, oldest));
            return 0;
        }
        List<EventRecord> batch = feed.read(partition, from, RECORDS_PER_READ);
        if (batch.isEmpty()) return 0;
        if (batch.getFirst().offset() != from) {
            // Removed by retention between the check above and the read.
            gaps.add(new Gap(partition, from, batch.getFirst().offset()));
            return 0;
        }
        long to = batch.getLast().offset() + 1;
        if (!cursor.advance(id, from, to)) return 0;
        long bytes = 0;
        for (EventRecord record : batch) {
            bytes += record.json().length;
            if (!stream.carries(record)) continue;
            records.writeBytes(record.json());
            records.writeBytes(CRLF);
        }
        unwritten[partition] = to;
        return bytes;
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
        long[] confirmed = unwritten;
        unwritten = nothingUnwritten();
        lastWrite = System.nanoTime();
        response.write(chunk).onComplete(written -> {
            if (written.succeeded()) {
                long now = System.nanoTime();
                for (int p = 0; p < confirmed.length; p++) {
                    if (confirmed[p] != NOTHING) stream.cursor(p).flushed(id, confirmed[p], now);
                }
            } else {
                LOG.debug("Live stream {} connection {} lost: {}", stream.name(), id, written.cause().toString());
                connection.close();
                release();
            }
        });
    }

    /**
     * Records this connection was to send were removed by retention first: it says so in one marker
     * record, moves past the loss (so the next connection does not report it again) and closes.
     */
    private void behindRetention(List<Gap> gaps) {
        ObjectNode marker = EvaluationJson.MAPPER.createObjectNode();
        marker.put("type", BEHIND_RETENTION);
        marker.put("timestamp", EventTimestamps.format(clock.millis()));
        ArrayNode partitions = marker.putArray("partitions");
        for (Gap gap : gaps) {
            if (stream.cursor(gap.partition()).skip(id, gap.from(), gap.resumeAt())) partitions.add(gap.partition());
        }
        marker.put("description", "Events of these partitions were removed by retention before this connection "
                + "could send them. The connection closes; the next one continues with the oldest retained event.");
        LOG.warn("Live stream {} connection {} fell behind retention in partitions {}; closing it",
                stream.name(), id, partitions);
        // Records read before the gap was found are not sent: they were not flushed, the next owner sends them.
        records.reset();
        records.writeBytes(marker.toString().getBytes(StandardCharsets.UTF_8));
        records.writeBytes(CRLF);
        end(Optional.of(compressRecords()));
    }

    private Future<Void> end(Optional<Buffer> last) {
        if (ended) return Future.succeededFuture();
        ended = true;
        Buffer tail = last.orElseGet(Buffer::buffer).appendBuffer(gzip.close());
        Future<Void> done = response.end(tail).onComplete(v -> connection.close());
        release();
        return done;
    }

    /** Gives the slot back: the connection ended, its socket closed, or a write failed. */
    private void release() {
        if (released) return;
        released = true;
        ended = true;
        if (keepaliveTimer >= 0) context.owner().cancelTimer(keepaliveTimer);
        if (gzip != null) gzip.close();
        stream.leave(this);
    }

    private long[] nothingUnwritten() {
        long[] none = new long[feed.partitions()];
        Arrays.fill(none, NOTHING);
        return none;
    }

    private record Gap(int partition, long from, long resumeAt) {
    }
}
