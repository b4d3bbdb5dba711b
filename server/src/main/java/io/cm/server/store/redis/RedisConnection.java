package io.cm.server.store.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One Lettuce connection to Redis, standalone or Cluster, set up so that no caller waits long:
 * every command times out after {@link #COMMAND_TIMEOUT}; while the connection is down commands are
 * rejected at once instead of queued, and the connection is re-established in the background
 * (retries at most a second apart). Lettuce connections are thread-safe and pipeline the commands
 * of all threads, so one is shared by the whole node.
 *
 * <p>The URL is one {@code redis://} URI, or several separated by commas (seed nodes of a cluster).
 * Whether the server is a cluster is asked at start ({@code INFO cluster}), so a single seed works.
 */
public final class RedisConnection implements AutoCloseable {

    static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);
    private static final Logger LOG = LoggerFactory.getLogger(RedisConnection.class);
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final StatefulConnection<String, byte[]> connection;
    private final RedisClusterAsyncCommands<String, byte[]> commands;
    private final boolean cluster;

    private RedisConnection(ClientResources resources, AbstractRedisClient client,
                            StatefulConnection<String, byte[]> connection,
                            RedisClusterAsyncCommands<String, byte[]> commands, boolean cluster) {
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.commands = commands;
        this.cluster = cluster;
    }

    /** @throws IllegalStateException if Redis cannot be reached now */
    public static RedisConnection open(String url) {
        List<RedisURI> uris = Arrays.stream(url.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(RedisURI::create).toList();
        if (uris.isEmpty()) throw new IllegalArgumentException("no Redis URI in '" + url + "'");
        ClientResources resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .nettyCustomizer(new OneFlushPerBurst())
                .build();
        ClientOptions options = ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .socketOptions(SocketOptions.builder().connectTimeout(COMMAND_TIMEOUT).keepAlive(true).build())
                .build();
        RedisClient standalone = RedisClient.create(resources, uris.get(0));
        standalone.setOptions(options);
        try {
            StatefulRedisConnection<String, byte[]> connection = standalone.connect(CODEC);
            if (!connection.sync().info("cluster").contains("cluster_enabled:1")) {
                LOG.info("Connected to Redis at {}", hosts(uris));
                return new RedisConnection(resources, standalone, connection, connection.async(), false);
            }
            connection.close();
            standalone.shutdown();
            RedisClusterClient cluster = RedisClusterClient.create(resources, uris);
            cluster.setOptions(ClusterClientOptions.builder(options)
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            // Follow failovers and resharding as soon as a node redirects or goes away.
                            .enableAdaptiveRefreshTrigger(ClusterTopologyRefreshOptions.RefreshTrigger.values())
                            .enablePeriodicRefresh(Duration.ofSeconds(30))
                            .build())
                    .build());
            StatefulRedisClusterConnection<String, byte[]> clustered = cluster.connect(CODEC);
            // Lettuce connects to each node on first use, and rejects commands while that connection is
            // being made (REJECT_COMMANDS): connect to all of them now, so that the first requests do not fail.
            // Commands are routed to connections by host and port, so those are the ones opened.
            clustered.getPartitions().forEach(node -> clustered.getConnection(node.getUri().getHost(),
                    node.getUri().getPort()));
            LOG.info("Connected to Redis Cluster through {}", hosts(uris));
            return new RedisConnection(resources, cluster, clustered, clustered.async(), true);
        } catch (RedisException e) {
            standalone.shutdown();
            resources.shutdown();
            throw new IllegalStateException("Cannot connect to Redis at " + hosts(uris) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Lettuce flushes each command on its own, one {@code write()} per command. Commands come from the
     * event loops as tasks for the connection's I/O thread; this handler turns the flushes of the
     * tasks queued together into one, made after them (and the flushes during a read into one at its
     * end), so a burst of requests costs one {@code write()}. Measured under heartbeat load: the
     * server's writes per request went from 2.1 to 1.2 (one is the HTTP answer).
     */
    private static final class OneFlushPerBurst implements NettyCustomizer {
        @Override
        public void afterChannelInitialized(Channel channel) {
            channel.pipeline().addFirst(new FlushConsolidationHandler(
                    FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        }
    }

    /** Host and port only: a URI may carry a password. */
    private static String hosts(List<RedisURI> uris) {
        return uris.stream().map(u -> u.getHost() + ":" + u.getPort()).collect(Collectors.joining(","));
    }

    RedisClusterAsyncCommands<String, byte[]> commands() {
        return commands;
    }

    /** Whether this is a Redis Cluster, where one script may only use keys of one slot. */
    boolean isCluster() {
        return cluster;
    }

    /** Completes with whether Redis answered a {@code PING} (within the command timeout). */
    CompletionStage<Boolean> ping() {
        return commands.ping().handle((pong, failure) -> failure == null && "PONG".equals(pong));
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
