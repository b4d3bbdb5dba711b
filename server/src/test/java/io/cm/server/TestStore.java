package io.cm.server;

import io.cm.server.store.redis.RedisServerProcess;

import java.util.HashMap;
import java.util.Map;

/**
 * The store that in-process test servers use: embedded by default; with {@code -Dcm.test.store=redis}
 * (the build's second test run), one {@code redis-server} shared by all test classes of the JVM and
 * emptied for each new server, so that every class starts from nothing as it does on the embedded store.
 */
final class TestStore {

    private TestStore() {
    }

    /** {@code env} plus what selects the store, unless the test chose a store itself. */
    static Map<String, String> environment(Map<String, String> env) {
        if (!"redis".equals(System.getProperty("cm.test.store")) || env.containsKey("CM_STORE")) return env;
        RedisServerProcess redis = SharedRedis.INSTANCE;
        redis.flushAll();
        Map<String, String> withRedis = new HashMap<>(env);
        withRedis.put("CM_STORE", "redis");
        withRedis.put("CM_REDIS_URL", redis.url());
        withRedis.putIfAbsent("CM_ID_SECRET", "test-id-secret-shared-by-nodes");
        return withRedis;
    }

    /** Started on first use, stopped when the test JVM exits. */
    private static final class SharedRedis {
        static final RedisServerProcess INSTANCE = RedisServerProcess.start();

        static {
            Runtime.getRuntime().addShutdownHook(new Thread(INSTANCE::close));
        }
    }
}
