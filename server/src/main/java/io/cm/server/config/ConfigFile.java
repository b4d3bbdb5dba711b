package io.cm.server.config;

import io.cm.server.credentials.SecretHash;

import java.util.List;
import java.util.Set;

/**
 * The shape of the YAML config file as operators write it (keys in kebab-case). Every setting may
 * be absent; {@link ConfigLoader} fills in defaults and overrides. Jackson reports a key or value
 * of the wrong shape with its line; the tenants, policies and streams are then checked as a whole
 * by {@link ManagedConfig#check()}, which the admin API uses too.
 */
record ConfigFile(Server server, Sessions sessions, Limits limits, Throttling throttling, Delivery delivery,
                  Http http, Reports reports, Tls tls, List<ManagedConfig.Tenant> tenants,
                  List<ManagedConfig.PolicyEntry> policies, List<ManagedConfig.StreamEntry> streams,
                  List<StreamClientEntry> streamClients) {

    ConfigFile {
        streamClients = streamClients == null ? List.of() : List.copyOf(streamClients);
    }

    /** The sections operators may also change at run time, as written; checked by {@link ManagedConfig#check()}. */
    ManagedConfig managed() {
        return new ManagedConfig(tenants, policies, streams);
    }

    /** Settings of the process itself; overridden by {@code CM_<KEY>} (for example {@code CM_PORT}). */
    record Server(Integer port, String dataDir, String store, String redisUrl, String events,
                  String kafkaBootstrap, String kafkaTopic, List<String> corsOrigins, String idSecret, String host,
                  Integer managementPort, String managementHost, String logFormat,
                  String fsync, String adminToken, String adminConfig, String tokenSecret, String tokenLifetime) {
    }

    /** HTTPS; overridden by {@code CM_TLS_<KEY>} ({@code CM_TLS_CERT}, {@code CM_TLS_KEY}). */
    record Tls(String cert, String key, Integer plainPort, String reloadCheck) {
    }

    /** Overridden by {@code CM_SESSIONS_<KEY>}. */
    record Sessions(String heartbeatInterval, String grace, String endedRetention) {
    }

    /** Overridden by {@code CM_LIMITS_<KEY>}. */
    record Limits(Integer maxMetadataKeys, Integer maxKeyLength, Integer maxValueLength, Integer maxIdLength) {
    }

    /** Overridden by {@code CM_THROTTLING_<KEY>}. */
    record Throttling(Integer initsPerWindow, Integer sessionRequestsPerWindow, String window) {
    }

    /** The event log and the live streams; overridden by {@code CM_DELIVERY_<KEY>}. */
    record Delivery(Integer partitions, String retentionTime, Long retentionCount, String resumeWindow,
                    String keepalive, String replayMargin) {
    }

    /** Limits the HTTP listeners hold clients to; overridden by {@code CM_HTTP_<KEY>}. */
    record Http(Integer maxConnections, String requestReadTimeout, String idleTimeout, Integer failedAuthLimit,
                String failedAuthWindow, Boolean accessLog) {
    }

    /** Usage report retention per granularity; overridden by {@code CM_REPORTS_<KEY>}. */
    record Reports(String minutes, String hours, String days, String months, String lateness) {
    }

    /** A client of the token endpoint; {@code secret} is a {@link SecretHash}, never the secret itself. */
    record StreamClientEntry(String id, String secret, List<String> streams) {
        StreamClientEntry {
            if (id == null || id.isBlank()) throw new IllegalArgumentException("stream client id is required");
            if (id.contains(":")) throw new IllegalArgumentException("stream client id " + id + " must not contain ':'");
            SecretHash.parse(secret);
            streams = streams == null ? List.of() : List.copyOf(streams);
        }

        StreamClientSettings toSettings() {
            return new StreamClientSettings(id, SecretHash.parse(secret), Set.copyOf(streams));
        }
    }
}
