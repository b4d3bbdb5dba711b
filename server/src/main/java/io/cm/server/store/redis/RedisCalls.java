package io.cm.server.store.redis;

import io.cm.core.store.StoreUnavailableException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * How the store calls Redis: asynchronously, any failure becomes a {@link StoreUnavailableException}
 * (answered 503), and once Redis failed to answer, calls fail at once until a background
 * {@code PING} succeeds again. That last part keeps a slow or hung Redis (which still accepts
 * connections, so Lettuce does not reject commands) from holding every request for a full timeout.
 */
final class RedisCalls implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisCalls.class);

    private static final long PROBE_MILLIS = 200;

    private final Supplier<CompletionStage<Boolean>> ping;
    private final AtomicBoolean down = new AtomicBoolean();
    private volatile boolean closed;

    RedisCalls(Supplier<CompletionStage<Boolean>> ping) {
        this.ping = ping;
    }

    /**
     * Sends what {@code send} sends; the stage fails with {@link StoreUnavailableException} when Redis
     * does not answer (Lettuce times commands out), when the connection breaks with the command in
     * flight (reset, closed), and at once while Redis is known to be down. Other failures (a reply this
     * node cannot read) stay what they are.
     */
    <T> CompletionStage<T> call(Supplier<? extends CompletionStage<T>> send) {
        if (down.get()) return CompletableFuture.failedFuture(new StoreUnavailableException("Redis is unreachable"));
        CompletionStage<T> sent;
        try {
            sent = send.get();
        } catch (RedisException e) {
            return CompletableFuture.failedFuture(unavailable(e));
        }
        return sent.exceptionallyCompose(failure -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            boolean unanswered = cause instanceof RedisException || cause instanceof IOException
                    || cause instanceof CancellationException;
            return CompletableFuture.failedFuture(unanswered ? unavailable(cause) : cause);
        });
    }

    private StoreUnavailableException unavailable(Throwable cause) {
        if (cause instanceof RedisCommandExecutionException) {
            // An error reply (e.g. OOM, LOADING, a script error) from a Redis that answers: keep calling it.
            LOG.warn("Redis answered an error: {}", cause.getMessage());
        } else if (down.compareAndSet(false, true)) {
            LOG.warn("Redis did not answer ({}); failing fast until it answers a PING", cause.toString());
            probeLater();
        }
        return new StoreUnavailableException("Redis did not answer: " + cause.getMessage(), cause);
    }

    /** Pings Redis; a success lets calls through again at once. Completes with whether Redis answered. */
    CompletionStage<Boolean> probe() {
        return ping.get().thenApply(up -> {
            if (up && down.compareAndSet(true, false)) LOG.info("Redis answers again");
            return up;
        });
    }

    private void probeLater() {
        CompletableFuture.delayedExecutor(PROBE_MILLIS, TimeUnit.MILLISECONDS).execute(() -> {
            if (closed) return;
            probe().thenAccept(up -> {
                if (!up) probeLater();
            });
        });
    }

    /** Stops probing (the connection is closing). */
    @Override
    public void close() {
        closed = true;
    }
}
