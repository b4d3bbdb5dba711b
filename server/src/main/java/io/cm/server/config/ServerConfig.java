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
 * @param kafka    present when {@code events} is {@code KAFKA}
 * @param managed  tenants, applications, policies and live streams as the config file gives them; the
 *                 admin API may change them at run time (see {@code admin.ConfigAdministration})
 * @param idSecret key for signing session ids; when empty, one is generated and kept in {@code dataDir}
 * @param http      listeners and the limits they hold clients to
 * @param logFormat how log lines are written
 * @param fsync     when the embedded store forces its journal to disk
 * @param admin    who may use the admin API, and whether its persisted changes win over the file
 * @param reports  usage report retention
 * @param tls       present when the public port serves HTTPS
 * @param tokens    the token endpoint's clients and the tokens it issues
 */
public record ServerConfig(int port, Path dataDir, StoreKind store, Optional<String> redisUrl,
                           EventsKind events, Optional<KafkaSettings> kafka, SessionTimings timings,
                           InputLimits limits, ThrottleSettings throttle, List<String> corsOrigins,
                           ManagedSettings managed, DeliverySettings delivery, Optional<String> idSecret,
                           HttpSettings http, LogFormat logFormat, Fsync fsync, AdminSettings admin,
                           ReportSettings reports, Optional<TlsSettings> tls, TokenSettings tokens) {

    public enum StoreKind { EMBEDDED, REDIS }

    public enum EventsKind { EMBEDDED, KAFKA }

    /** Text lines for people, or one JSON object per line for log collectors. */
    public enum LogFormat { TEXT, JSON }

    /**
     * When the embedded store's journal is forced to disk. Every acknowledged change is written to the
     * operating system first, which survives a crash of the process; forcing also survives a power loss.
     */
    public enum Fsync {
        /** At most a second after a write (the default): a power loss loses at most the last second. */
        INTERVAL,
        /** Before every answer: nothing acknowledged is lost, at the cost of one disk flush per batch. */
        ALWAYS,
        /** When the operating system decides (typically within 30 s on Linux). */
        NEVER
    }

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
        return new ServerConfig(newPort, dataDir, store, redisUrl, events, kafka, timings, limits, throttle,
                corsOrigins, managed, delivery, idSecret, http, logFormat, fsync, admin, reports, tls, tokens);
    }
}
