package io.cm.client;

import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Future;

/**
 * Closes a live-stream connection that has received nothing, not even a keepalive, for the idle
 * timeout. The service writes a keepalive at least every 5 s, so silence means a peer or a network
 * path that vanished without a reset, which a blocked read would otherwise wait on forever.
 */
final class IdleWatchdog implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(IdleWatchdog.class.getName());

    private final Closeable connection;
    private final Duration timeout;
    private final Clock clock;
    private final Scheduler scheduler;
    private volatile long lastActivity;
    /** While a record is being handed to the consumer, a slow consumer, not a dead connection, is why nothing is read. */
    private volatile boolean paused;
    private Future<?> check;
    private boolean closed;

    private IdleWatchdog(Closeable connection, Duration timeout, Clock clock, Scheduler scheduler) {
        this.connection = connection;
        this.timeout = timeout;
        this.clock = clock;
        this.scheduler = scheduler;
        this.lastActivity = clock.millis();
    }

    static IdleWatchdog watch(Closeable connection, Duration timeout, Clock clock, Scheduler scheduler) {
        IdleWatchdog watchdog = new IdleWatchdog(connection, timeout, clock, scheduler);
        synchronized (watchdog) {
            watchdog.check = scheduler.schedule(timeout, watchdog::check);
        }
        return watchdog;
    }

    /** A record arrived: the consumer's time starts, which is not the connection's silence. */
    void pause() {
        paused = true;
    }

    /** Reading again: silence counts from now. */
    void resume() {
        lastActivity = clock.millis();
        paused = false;
    }

    private synchronized void check() {
        if (closed) return;
        long idleMillis = paused ? 0 : clock.millis() - lastActivity;
        if (idleMillis < timeout.toMillis()) {
            check = scheduler.schedule(timeout.minusMillis(idleMillis), this::check);
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "Nothing received on the live stream for {0}; reconnecting", timeout);
        try {
            connection.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "Closing an idle connection failed", e);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        check.cancel(false);
    }
}
