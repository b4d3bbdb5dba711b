package io.cm.server.store.redis;

import io.cm.core.store.SessionStore;
import io.cm.server.store.Storage;

import java.time.Clock;
import java.util.concurrent.CompletionStage;

/** {@code server.store: redis}: sessions and request budgets in Redis, shared by every node, over one connection. */
public final class RedisStorage implements Storage {

    private final RedisConnection connection;
    private final RedisCalls calls;
    private final RedisStore sessions;

    private RedisStorage(RedisConnection connection, Clock clock) {
        this.connection = connection;
        this.calls = new RedisCalls(connection::ping);
        this.sessions = new RedisStore(connection, calls, clock);
    }

    /** @throws IllegalStateException if Redis cannot be reached at {@code url} now */
    public static RedisStorage open(String url, Clock clock) {
        return new RedisStorage(RedisConnection.open(url), clock);
    }

    @Override
    public SessionStore sessions() {
        return sessions;
    }

    @Override
    public CompletionStage<Boolean> ready() {
        return calls.probe();
    }

    @Override
    public void close() {
        calls.close();
        connection.close();
    }
}
