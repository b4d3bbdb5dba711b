package io.cm.server.config;

import io.cm.core.policy.Catalog;
import io.cm.core.service.SessionTimings;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Everything the server runs with, after the config file, environment variables and flags have
 * been merged. See {@code README.md} for the file format and the override names.
 *
 * @param managed  tenants, applications, policies and live streams as the config file gives them; the
 *                 admin API may change them at run time (see {@code admin.ConfigAdministration})
 * @param idSecret key for signing session ids; when empty, one is generated and kept in {@code dataDir}
 * @param admin    who may use the admin API, and whether its persisted changes win over the file
 * @param reports  usage report retention
 */
public record ServerConfig(int port, Path dataDir, StoreKind store, Optional<String> redisUrl,
                           EventsKind events, Optional<String> kafkaBootstrap, SessionTimings timings,
                           InputLimits limits, ThrottleSettings throttle, List<String> corsOrigins,
                           ManagedSettings managed, DeliverySettings delivery, Optional<String> idSecret,
                           AdminSettings admin, ReportSettings reports) {

    public enum StoreKind { EMBEDDED, REDIS }

    public enum EventsKind { EMBEDDED, KAFKA }

    public ServerConfig {
        corsOrigins = List.copyOf(corsOrigins);
    }

    /** The applications and policies of the config file. */
    public Catalog catalog() {
        return managed.catalog();
    }

    /** The live streams of the config file. */
    public List<LiveStreamSettings> streams() {
        return managed.streams();
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(newPort, dataDir, store, redisUrl, events, kafkaBootstrap, timings, limits, throttle,
                corsOrigins, managed, delivery, idSecret, admin, reports);
    }
}
