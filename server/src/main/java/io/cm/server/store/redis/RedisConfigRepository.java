package io.cm.server.store.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cm.core.store.StoreUnavailableException;
import io.cm.server.admin.AuditEntry;
import io.cm.server.admin.ConfigRepository;
import io.cm.server.config.ManagedConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code server.store: redis}: the admin API's configuration and audit trail in Redis, shared by
 * every node. {@value #CONFIG} is a hash {@code {etag, config}}, {@value #AUDIT} a list, newest
 * first, of at most {@value #AUDIT_KEPT} entries; both carry one hash tag, so a cluster keeps them
 * in one slot. A change is one script: compare the stored ETag, write, append the audit entry and
 * publish the new ETag on {@value #CHANNEL}. Every node subscribes to it, and also reads the stored
 * ETag every {@value #CHECK_MILLIS} ms, in case a notice was missed (a subscription reconnecting),
 * so a change reaches every node within about a second.
 *
 * <p>Calls block (with a bound) and run on the admin thread only; Redis unreachable is
 * {@link StoreUnavailableException}, answered 503.
 */
public final class RedisConfigRepository implements ConfigRepository {

    private static final Logger LOG = LoggerFactory.getLogger(RedisConfigRepository.class);
    static final String CONFIG = "cm:{admin}:config";
    static final String AUDIT = "cm:{admin}:audit";
    static final String CHANNEL = "cm:admin:changed";
    static final int AUDIT_KEPT = 100_000;
    static final long CHECK_MILLIS = 500;
    private static final Duration WAIT = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LuaScript REPLACE = new LuaScript("""
            local stored = redis.call('HGET', KEYS[1], 'etag')
            if stored and stored ~= ARGV[1] then return 0 end
            redis.call('HSET', KEYS[1], 'etag', ARGV[2], 'config', ARGV[3])
            redis.call('LPUSH', KEYS[2], ARGV[4])
            redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[5]) - 1)
            redis.call('PUBLISH', ARGV[6], ARGV[2])
            return 1
            """);

    private final RedisConnection connection;
    private final RedisClient subscriber;
    private final StatefulRedisPubSubConnection<String, String> notices;
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread t = new Thread(task, "cm-admin-check");
        t.setDaemon(true);
        return t;
    });
    /** The ETag stored when this node last read or wrote it; a different one stored means another node changed it. */
    private volatile String seen;

    private RedisConfigRepository(RedisConnection connection, RedisClient subscriber,
                                  StatefulRedisPubSubConnection<String, String> notices) {
        this.connection = connection;
        this.subscriber = subscriber;
        this.notices = notices;
    }

    /**
     * Connects (one connection for commands, one subscribed to change notices, to the first node of
     * {@code url}: in a cluster, published messages reach every node).
     *
     * @throws IllegalStateException if Redis cannot be reached now
     */
    public static RedisConfigRepository open(String url) {
        RedisConnection connection = RedisConnection.open(url);
        RedisClient subscriber = RedisClient.create(RedisURI.create(url.split(",")[0].trim()));
        try {
            return new RedisConfigRepository(connection, subscriber, subscriber.connectPubSub());
        } catch (RuntimeException e) {
            subscriber.shutdown();
            connection.close();
            throw new IllegalStateException("Cannot subscribe to Redis change notices: " + e.getMessage(), e);
        }
    }

    private <T> T await(CompletionStage<T> call) {
        try {
            return call.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new StoreUnavailableException("Redis did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("Interrupted while waiting for Redis", e);
        }
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Optional<ManagedConfig> load() {
        List<byte[]> stored = await(connection.commands().hmget(CONFIG, "etag", "config")
                .thenApply(values -> values.stream().map(v -> v.getValueOrElse(null)).toList()));
        seen = text(stored.get(0));
        if (stored.get(1) == null) return Optional.empty();
        try {
            return Optional.of(ManagedConfig.bind(JSON.readTree(stored.get(1)), ManagedConfig.class).map(c -> c,
                    problems -> {
                        throw new IllegalStateException("The configuration in Redis (" + CONFIG + ") cannot be read: "
                                + problems);
                    }));
        } catch (IOException e) {
            throw new UncheckedIOException("The configuration in Redis (" + CONFIG + ") is not JSON", e);
        }
    }

    @Override
    public boolean replace(String expectedEtag, ManagedConfig next, AuditEntry audit) {
        Long replaced = await(REPLACE.<Long>run(connection.commands(), ScriptOutputType.INTEGER,
                new String[]{CONFIG, AUDIT}, bytes(expectedEtag), bytes(next.etag()), bytes(json(next.toJson())),
                bytes(json(audit)), bytes(Integer.toString(AUDIT_KEPT)), bytes(CHANNEL)));
        if (replaced == 1) seen = next.etag();
        return replaced == 1;
    }

    @Override
    public void append(AuditEntry audit) {
        await(connection.commands().lpush(AUDIT, bytes(json(audit))));
        await(connection.commands().ltrim(AUDIT, 0, AUDIT_KEPT - 1));
    }

    @Override
    public List<AuditEntry> audit(int limit) {
        List<byte[]> stored = await(connection.commands().lrange(AUDIT, 0, limit - 1));
        List<AuditEntry> entries = new ArrayList<>(stored.size());
        for (byte[] entry : stored) {
            try {
                entries.add(JSON.readValue(entry, AuditEntry.class));
            } catch (IOException e) {
                LOG.warn("Skipping an unreadable audit entry in {}: {}", AUDIT, e.getMessage());
            }
        }
        return entries;
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value, e);
        }
    }

    @Override
    public void watch(Runnable changed) {
        notices.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String etag) {
                if (!etag.equals(seen)) changed.run();
            }
        });
        notices.async().subscribe(CHANNEL);
        checker.scheduleWithFixedDelay(() -> {
            try {
                String stored = text(await(connection.commands().hget(CONFIG, "etag")));
                if (stored != null && !Objects.equals(stored, seen)) changed.run();
            } catch (RuntimeException e) {
                LOG.debug("Configuration check failed; the next one retries: {}", e.toString());
            }
        }, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        checker.shutdownNow();
        notices.close();
        subscriber.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        connection.close();
    }
}
