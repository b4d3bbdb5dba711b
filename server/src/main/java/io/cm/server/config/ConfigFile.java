package io.cm.server.config;

import io.cm.core.event.SessionEventType;
import io.cm.core.policy.Application;
import io.cm.core.policy.ConflictMode;
import io.cm.core.policy.Policy;
import io.cm.core.policy.Rule;
import io.cm.core.policy.Target;
import io.cm.server.credentials.SecretHash;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The shape of the YAML config file as operators write it (keys in kebab-case). Every setting may
 * be absent; {@link ConfigLoader} fills in defaults and overrides. Entries are checked as they are
 * read, so that Jackson reports a bad one with its line in the file.
 */
record ConfigFile(Server server, Sessions sessions, Limits limits, Throttling throttling, Delivery delivery,
                  Http http, Tls tls, List<TenantEntry> tenants, List<PolicyEntry> policies,
                  List<StreamEntry> streams, List<StreamClientEntry> streamClients) {

    ConfigFile {
        tenants = tenants == null ? List.of() : List.copyOf(tenants);
        policies = policies == null ? List.of() : List.copyOf(policies);
        streams = streams == null ? List.of() : List.copyOf(streams);
        streamClients = streamClients == null ? List.of() : List.copyOf(streamClients);
    }

    /** Settings of the process itself; overridden by {@code CM_<KEY>} (for example {@code CM_PORT}). */
    record Server(Integer port, String dataDir, String store, String redisUrl, String events,
                  String kafkaBootstrap, String kafkaTopic, List<String> corsOrigins, String idSecret, String host,
                  Integer managementPort, String managementHost, String logFormat,
                  String fsync, String tokenSecret, String tokenLifetime) {
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
                String failedAuthWindow) {
    }

    record TenantEntry(String id, String name, List<ApplicationEntry> applications) {
        TenantEntry {
            requireText(id, "tenant id");
            applications = applications == null ? List.of() : List.copyOf(applications);
        }

        List<Application> toApplications() {
            return applications.stream().map(a -> a.toApplication(id)).toList();
        }
    }

    record ApplicationEntry(String id, String name, String platform, List<String> policies, String secret) {
        ApplicationEntry {
            requireText(id, "application id");
            policies = policies == null ? List.of() : List.copyOf(policies);
        }

        Application toApplication(String tenant) {
            return new Application(id, tenant, name, Optional.ofNullable(platform), policies, Optional.ofNullable(secret));
        }
    }

    record TargetEntry(String attribute, Set<String> values) {
    }

    record RuleEntry(String type, String name, Integer limit, String attribute) {
        RuleEntry {
            rule(type, name, limit, attribute);
        }

        Rule toRule() {
            return rule(type, name, limit, attribute);
        }

        private static Rule rule(String type, String name, Integer limit, String attribute) {
            requireText(type, "rule type");
            if (limit == null) throw new IllegalArgumentException("rule " + type + " needs a limit");
            return switch (type) {
                case "max-streams" -> new Rule.MaxStreams(name, limit);
                case "max-per-value" -> new Rule.MaxPerValue(name, attribute, limit);
                case "max-distinct" -> new Rule.MaxDistinct(name, attribute, limit);
                default -> throw new IllegalArgumentException(
                        "unknown rule type '" + type + "' (expected max-streams, max-per-value or max-distinct)");
            };
        }
    }

    record PolicyEntry(String name, String mode, TargetEntry target, List<RuleEntry> rules) {
        PolicyEntry {
            rules = rules == null ? List.of() : List.copyOf(rules);
            policy(name, mode, target, rules);
        }

        Policy toPolicy() {
            return policy(name, mode, target, rules);
        }

        private static Policy policy(String name, String mode, TargetEntry target, List<RuleEntry> rules) {
            return new Policy(name, rules.stream().map(RuleEntry::toRule).toList(), conflictMode(mode),
                    Optional.ofNullable(target).map(t -> new Target(t.attribute(), t.values())));
        }

        private static ConflictMode conflictMode(String mode) {
            if (mode == null) return ConflictMode.LIFO;
            try {
                return ConflictMode.valueOf(mode.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown conflict mode '" + mode + "' (expected LIFO or FIFO)");
            }
        }
    }

    /** {@code types}: the event types the stream carries, by wire name; absent means all. */
    record StreamEntry(String name, String tenant, List<String> tokens, List<String> types) {
        StreamEntry {
            requireText(name, "stream name");
            requireText(tenant, "stream tenant");
            tokens = tokens == null ? List.of() : List.copyOf(tokens);
            if (tokens.isEmpty()) throw new IllegalArgumentException("stream " + name + " needs at least one token");
            eventTypes(name, types);
        }

        LiveStreamSettings toSettings() {
            return new LiveStreamSettings(name, tenant, tokens, eventTypes(name, types));
        }

        private static Set<SessionEventType> eventTypes(String stream, List<String> names) {
            if (names == null) return EnumSet.allOf(SessionEventType.class);
            if (names.isEmpty()) {
                throw new IllegalArgumentException("stream " + stream + ": types must name at least one event type "
                        + "(leave it out to carry all)");
            }
            Set<SessionEventType> types = EnumSet.noneOf(SessionEventType.class);
            for (String name : names) {
                types.add(Arrays.stream(SessionEventType.values()).filter(type -> type.wireName().equals(name))
                        .findFirst().orElseThrow(() -> new IllegalArgumentException("stream " + stream
                                + ": unknown event type '" + name + "' (expected "
                                + Arrays.stream(SessionEventType.values()).map(SessionEventType::wireName)
                                .collect(Collectors.joining(", ")) + ")")));
            }
            return types;
        }
    }

    /** A client of the token endpoint; {@code secret} is a {@link SecretHash}, never the secret itself. */
    record StreamClientEntry(String id, String secret, List<String> streams) {
        StreamClientEntry {
            requireText(id, "stream client id");
            if (id.contains(":")) throw new IllegalArgumentException("stream client id " + id + " must not contain ':'");
            SecretHash.parse(secret);
            streams = streams == null ? List.of() : List.copyOf(streams);
        }

        StreamClientSettings toSettings() {
            return new StreamClientSettings(id, SecretHash.parse(secret), Set.copyOf(streams));
        }
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) throw new IllegalArgumentException(what + " is required");
    }
}
