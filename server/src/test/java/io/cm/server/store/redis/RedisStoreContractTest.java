package io.cm.server.store.redis;

import io.cm.core.ManualClock;
import io.cm.core.store.SessionStore;
import io.cm.core.store.StoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store rules on a real Redis: one redis-server for the class, emptied before each test. */
class RedisStoreContractTest extends StoreContract {

    private static RedisServerProcess redis;
    private RedisStorage storage;

    @BeforeAll
    static void startRedis() {
        redis = RedisServerProcess.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Override
    protected SessionStore open(ManualClock clock) {
        redis.flushAll();
        storage = RedisStorage.open(redis.url(), clock);
        return storage.sessions();
    }

    @Override
    protected void close(SessionStore store) {
        storage.close();
    }
}
