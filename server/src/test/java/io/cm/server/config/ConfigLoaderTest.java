package io.cm.server.config;

import io.cm.core.event.SessionEventType;
import io.cm.core.policy.Application;
import io.cm.core.policy.ConflictMode;
import io.cm.core.policy.Policy;
import io.cm.core.policy.Rule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Config file, environment and flags (SPEC §4): defaults, precedence, and start-up errors that say where and what. */
class ConfigLoaderTest {

    @TempDir
    Path dir;

    private static final String MINIMAL = """
            tenants:
              - id: t
                applications:
                  - id: app
                    policies: [p]
            policies:
              - name: p
                rules:
                  - type: max-streams
                    limit: 1
            """;

    private Path file(String yaml) throws IOException {
        return Files.writeString(dir.resolve("cm.yaml"), yaml);
    }

    private static ServerConfig load(Optional<Path> config, Map<String, String> env) {
        return ConfigLoader.load(new CommandLineOptions(config, OptionalInt.empty(), Optional.empty()), env);
    }

    private static Policy policy(ServerConfig config, String app) {
        Application application = config.catalog().application(app).orElseThrow();
        return config.catalog().policiesOf(application).getFirst();
    }

    @Test
    void withoutConfigTheEmbeddedDemoDefaultApplies() {
        ServerConfig config = load(Optional.empty(), Map.of());

        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.dataDir()).isEqualTo(Path.of("data"));
        assertThat(config.store()).isEqualTo(ServerConfig.StoreKind.EMBEDDED);
        assertThat(config.events()).isEqualTo(ServerConfig.EventsKind.EMBEDDED);
        assertThat(config.catalog().application("demo-app").orElseThrow().name()).isEqualTo("Demo application");
        assertThat(config.catalog().application("demo-app-2").orElseThrow().name()).isEqualTo("Demo application 2");
        assertThat(policy(config, "demo-app").rules()).containsExactly(new Rule.MaxStreams(null, 3));
        assertThat(policy(config, "demo-app").mode()).isEqualTo(ConflictMode.LIFO);
        assertThat(policy(config, "demo-app-2").rules()).containsExactly(new Rule.MaxPerValue(null, "channel", 2));
        assertThat(policy(config, "demo-app-fifo").mode()).isEqualTo(ConflictMode.FIFO);
        assertThat(policy(config, "demo-app-fifo").rules()).containsExactly(new Rule.MaxStreams(null, 2));
        assertThat(config.streams()).containsExactly(new LiveStreamSettings("demo", "demo", List.of("demo-token")));
    }

    @Test
    void aFileReplacesTheDemoConfigurationAndLeavesUnsetSettingsAtTheirDefaults() throws IOException {
        ServerConfig config = load(Optional.of(file(MINIMAL)), Map.of());

        assertThat(config.catalog().application("demo-app")).isEmpty();
        assertThat(policy(config, "app").rules()).containsExactly(new Rule.MaxStreams(null, 1));
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.timings().heartbeatInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.throttle()).isEqualTo(ThrottleSettings.DEFAULTS);
        assertThat(config.limits()).isEqualTo(InputLimits.DEFAULTS);
    }

    @Test
    void cmConfigNamesTheFileWhenNoFlagDoes() throws IOException {
        ServerConfig config = load(Optional.empty(), Map.of("CM_CONFIG", file(MINIMAL).toString()));

        assertThat(config.catalog().application("app")).isPresent();
    }

    @Test
    void environmentOverridesTheFileAndFlagsOverrideTheEnvironment() throws IOException {
        Path config = file(MINIMAL + """
                server:
                  port: 9000
                  data-dir: /from/file
                sessions:
                  heartbeat-interval: 30s
                throttling:
                  inits-per-window: 7
                """);
        Map<String, String> env = Map.of("CM_PORT", "9100", "CM_DATA_DIR", "/from/env",
                "CM_SESSIONS_HEARTBEAT_INTERVAL", "2m", "CM_THROTTLING_WINDOW", "PT10S",
                "CM_CORS_ORIGINS", "https://a.example, https://b.example", "CM_LIMITS_MAX_METADATA_KEYS", "8");

        ServerConfig fromEnv = load(Optional.of(config), env);
        ServerConfig fromFlags = ConfigLoader.load(new CommandLineOptions(Optional.of(config), OptionalInt.of(9200),
                Optional.of(Path.of("/from/flag"))), env);

        assertThat(fromEnv.port()).isEqualTo(9100);
        assertThat(fromEnv.dataDir()).isEqualTo(Path.of("/from/env"));
        assertThat(fromEnv.timings().heartbeatInterval()).isEqualTo(Duration.ofMinutes(2));
        assertThat(fromEnv.throttle()).isEqualTo(new ThrottleSettings(7, 200, Duration.ofSeconds(10)));
        assertThat(fromEnv.corsOrigins()).containsExactly("https://a.example", "https://b.example");
        assertThat(fromEnv.limits().maxMetadataKeys()).isEqualTo(8);
        assertThat(fromFlags.port()).isEqualTo(9200);
        assertThat(fromFlags.dataDir()).isEqualTo(Path.of("/from/flag"));
    }

    @Test
    void anUnknownKeyIsReportedWithFileLineAndTheKnownKeys() throws IOException {
        Path config = file(MINIMAL + """
                server:
                  prot: 9000
                """);

        assertThatThrownBy(() -> load(Optional.of(config), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(config.toString())
                .hasMessageContaining("line 12 (server.prot)")
                .hasMessageContaining("unknown key 'prot'")
                .hasMessageContaining("port");
    }

    @Test
    void anUnknownRuleTypeIsReportedWithItsLine() throws IOException {
        Path config = file(MINIMAL.replace("max-streams", "max-stream"));

        assertThatThrownBy(() -> load(Optional.of(config), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("line 9 (policies[0].rules[0].type)")
                .hasMessageContaining("unknown rule type 'max-stream'");
    }

    @Test
    void aRuleWithoutItsAttributeOrWithANonPositiveLimitIsRejected() throws IOException {
        Path noAttribute = file(MINIMAL.replace("max-streams", "max-per-value"));
        assertThatThrownBy(() -> load(Optional.of(noAttribute), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("attribute is required");

        Path zero = file(MINIMAL.replace("limit: 1", "limit: 0"));
        assertThatThrownBy(() -> load(Optional.of(zero), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("limit must be at least 1");

        Path fraction = file(MINIMAL.replace("limit: 1", "limit: 1.5"));
        assertThatThrownBy(() -> load(Optional.of(fraction), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("line 10 (policies[0].rules[0].limit)");
    }

    @Test
    void anApplicationReferencingAnUnknownPolicyIsNamed() throws IOException {
        Path config = file(MINIMAL.replace("policies: [p]", "policies: [nope]"));

        assertThatThrownBy(() -> load(Optional.of(config), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(config + ": line 5 (tenants[0].applications[0].policies[0]): "
                        + "application app references unknown policy nope");
    }

    @Test
    void everyBrokenRuleOfTheTenantsPoliciesAndStreamsIsListedWithItsLine() throws IOException {
        Path config = file("""
                tenants:
                  - id: t
                    applications:
                      - id: app
                        policies: [p, missing]
                      - id: app
                policies:
                  - name: p
                    mode: oldest-first
                    rules:
                      - type: max-per-value
                        limit: 0
                  - name: empty
                streams:
                  - name: s
                    tenant: nobody
                    tokens: []
                """);

        assertThatThrownBy(() -> load(Optional.of(config), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(config + ": 8 problems:\n"
                        + "  line 9 (policies[0].mode): policy p: unknown conflict mode 'oldest-first' (expected LIFO or FIFO)\n"
                        + "  line 12 (policies[0].rules[0].limit): policy p, rule max-per-value: limit must be at least 1, was 0\n"
                        + "  line 11 (policies[0].rules[0].attribute): policy p, rule max-per-value: attribute is required\n"
                        + "  line 13 (policies[1].rules): policy empty has no rules\n"
                        + "  line 5 (tenants[0].applications[0].policies[1]): application app references unknown policy missing\n"
                        + "  line 6 (tenants[0].applications[1].id): duplicate application id app\n"
                        + "  line 16 (streams[0].tenant): stream s names unknown tenant nobody\n"
                        + "  line 17 (streams[0].tokens): stream s needs at least one token");
    }

    @Test
    void duplicateIdsAndKeysAreRejected() throws IOException {
        Path duplicateApp = file(MINIMAL.replace("tenants:\n", """
                tenants:
                  - id: t2
                    applications:
                      - id: app
                        policies: [p]
                """));
        assertThatThrownBy(() -> load(Optional.of(duplicateApp), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("duplicate application id app");

        Path duplicateKey = file(MINIMAL + "server:\n  port: 1\n  port: 2\n");
        assertThatThrownBy(() -> load(Optional.of(duplicateKey), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("port");
    }

    @Test
    void aBadDurationNamesItsKey() throws IOException {
        Path config = file(MINIMAL + "sessions:\n  grace: soon\n");

        assertThatThrownBy(() -> load(Optional.of(config), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("sessions.grace")
                .hasMessageContaining("'soon' is not a duration");
    }

    @Test
    void aBadEnvironmentValueNamesTheVariable() {
        assertThatThrownBy(() -> load(Optional.empty(), Map.of("CM_PORT", "eighty")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("CM_PORT=eighty");
        assertThatThrownBy(() -> load(Optional.empty(), Map.of("CM_PORT", "70000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("70000 is not a TCP port");
        assertThatThrownBy(() -> load(Optional.empty(), Map.of("CM_STORE", "postgres")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.store: unknown value 'postgres' (expected embedded or redis)");
    }

    @Test
    void theRedisStoreNeedsItsUrlAndASharedIdSecretWhileKafkaIsNotAvailable() {
        assertThatThrownBy(() -> load(Optional.empty(), Map.of("CM_STORE", "redis", "CM_ID_SECRET", "0123456789abcdef")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.redis-url (CM_REDIS_URL) is required when server.store is redis");
        assertThatThrownBy(() -> load(Optional.empty(), Map.of("CM_STORE", "redis", "CM_REDIS_URL", "redis://h:6379")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.id-secret (CM_ID_SECRET) is required when server.store is redis");

        ServerConfig config = load(Optional.empty(), Map.of("CM_STORE", "redis", "CM_REDIS_URL", "redis://h:6379",
                "CM_ID_SECRET", "0123456789abcdef"));
        assertThat(config.store()).isEqualTo(ServerConfig.StoreKind.REDIS);
        assertThat(config.redisUrl()).hasValue("redis://h:6379");

    }

    @Test
    void kafkaEventsNeedTheBootstrapServersAndUseTheDefaultTopicUnlessOneIsNamed() {
        assertThatThrownBy(() -> load(Optional.empty(), Map.of("CM_EVENTS", "kafka")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.kafka-bootstrap (CM_KAFKA_BOOTSTRAP) is required when server.events is kafka");
        assertThatThrownBy(() -> load(Optional.empty(), Map.of("CM_EVENTS", "kafka", "CM_KAFKA_BOOTSTRAP", "k:9092",
                "CM_KAFKA_TOPIC", "no spaces")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.kafka-topic 'no spaces' is not a Kafka topic name");

        ServerConfig config = load(Optional.empty(), Map.of("CM_EVENTS", "kafka", "CM_KAFKA_BOOTSTRAP", "k1:9092,k2:9092"));
        assertThat(config.kafka()).hasValue(new KafkaSettings("k1:9092,k2:9092", "cm.session-events"));
        assertThat(load(Optional.empty(), Map.of("CM_EVENTS", "kafka", "CM_KAFKA_BOOTSTRAP", "k:9092",
                "CM_KAFKA_TOPIC", "events")).kafka().orElseThrow().topic()).isEqualTo("events");
        assertThat(load(Optional.empty(), Map.of()).kafka()).isEmpty();
    }

    @Test
    void theJournalIsForcedEverySecondUnlessTheFileOrCmFsyncSaysOtherwise() throws IOException {
        assertThat(load(Optional.empty(), Map.of()).fsync()).isEqualTo(ServerConfig.Fsync.INTERVAL);
        Path always = file(MINIMAL + "server:\n  fsync: always\n");
        assertThat(load(Optional.of(always), Map.of()).fsync()).isEqualTo(ServerConfig.Fsync.ALWAYS);
        assertThat(load(Optional.of(always), Map.of("CM_FSYNC", "never")).fsync()).isEqualTo(ServerConfig.Fsync.NEVER);
    }

    @Test
    void anUnknownFsyncPolicyIsRejectedNamingTheSettingAndTheChoices() throws IOException {
        assertThatThrownBy(() -> load(Optional.empty(), Map.of("CM_FSYNC", "sometimes")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.fsync (CM_FSYNC): unknown value 'sometimes' (expected interval or always or never)");
        assertThatThrownBy(() -> load(Optional.of(file(MINIMAL + "server:\n  fsync: 1s\n")), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cm.yaml")
                .hasMessageContaining("unknown value '1s'");
    }

    @Test
    void unknownCmVariablesAreIgnoredRatherThanFatal() {
        assertThat(load(Optional.empty(), Map.of("CM_NOT_A_SETTING", "x")).port()).isEqualTo(8080);
    }

    @Test
    void aMissingOrUnparsableFileIsNamed() throws IOException {
        Path missing = dir.resolve("missing.yaml");
        assertThatThrownBy(() -> load(Optional.of(missing), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(missing + ": cannot read");

        Path broken = file("tenants: [\n  - id: t\n");
        assertThatThrownBy(() -> load(Optional.of(broken), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(broken + ": line ");
    }

    @Test
    void aStreamOverAnUnknownTenantIsRejected() throws IOException {
        Path config = file(MINIMAL + "streams:\n  - name: s\n    tenant: other\n    tokens: [x]\n");

        assertThatThrownBy(() -> load(Optional.of(config), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("stream s names unknown tenant other");
    }

    @Test
    void aStreamCarriesTheEventTypesItNamesAndAllWhenItNamesNone() throws IOException {
        Path config = file(MINIMAL + """
                streams:
                  - {name: all, tenant: t, tokens: [x]}
                  - {name: sessions, tenant: t, tokens: [x], types: [session.started, session.stopped]}
                """);

        List<LiveStreamSettings> streams = load(Optional.of(config), Map.of()).streams();

        assertThat(streams.get(0).types()).containsExactlyInAnyOrder(SessionEventType.values());
        assertThat(streams.get(1).types()).containsExactlyInAnyOrder(SessionEventType.STARTED, SessionEventType.STOPPED);
    }

    @Test
    void anUnknownEventTypeOfAStreamIsRejectedWithItsLineAndTheKnownTypes() throws IOException {
        Path config = file(MINIMAL + """
                streams:
                  - name: s
                    tenant: t
                    tokens: [x]
                    types: [session.started, session.paused]
                """);

        assertThatThrownBy(() -> load(Optional.of(config), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(config + ": line 15 (streams[0].types[1])")
                .hasMessageContaining("stream s: unknown event type 'session.paused' (expected session.started, "
                        + "session.heartbeat, session.denied, session.stopped, session.expired, session.killed, "
                        + "session.dismissed)");
    }

    @Test
    void anEmptyListOfEventTypesIsRejected() throws IOException {
        Path config = file(MINIMAL + "streams:\n  - {name: s, tenant: t, tokens: [x], types: []}\n");

        assertThatThrownBy(() -> load(Optional.of(config), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("stream s: types must name at least one event type");
    }

    @Test
    void twoStreamsWithOneNameAreRejected() throws IOException {
        Path config = file(MINIMAL + "streams:\n  - {name: s, tenant: t, tokens: [x]}\n  - {name: s, tenant: t, tokens: [y]}\n");

        assertThatThrownBy(() -> load(Optional.of(config), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("line 13 (streams[1].name): duplicate stream name s");
    }

    @Test
    void aTopLevelThatIsNotAMappingIsRejected() throws IOException {
        Path config = file("- just\n- a list\n");

        assertThatThrownBy(() -> load(Optional.of(config), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(config + ": the top level must be a mapping");
    }

    @Test
    void theDeliverySectionHasDefaultsAndComesFromTheFileAndCmDeliveryVariables() throws IOException {
        assertThat(load(Optional.empty(), Map.of()).delivery()).isEqualTo(DeliverySettings.DEFAULTS);

        Path config = file(MINIMAL + """
                delivery:
                  partitions: 32
                  retention-time: 2h
                  retention-count: 5000
                  keepalive: 1s
                """);
        ServerConfig loaded = load(Optional.of(config), Map.of("CM_DELIVERY_RESUME_WINDOW", "5m",
                "CM_DELIVERY_REPLAY_MARGIN", "30s", "CM_DELIVERY_RETENTION_COUNT", "6000"));

        assertThat(loaded.delivery()).isEqualTo(new DeliverySettings(32, Duration.ofHours(2), 6000,
                Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofSeconds(30)));
    }

    @Test
    void deliveryValuesOutsideTheirRangeAreNamed() throws IOException {
        assertThatThrownBy(() -> load(Optional.of(file(MINIMAL + "delivery:\n  partitions: 4\n")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("delivery.partitions 4 is not in 8..256");
        assertThatThrownBy(() -> load(Optional.empty(), Map.of("CM_DELIVERY_KEEPALIVE", "10s")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("delivery.keepalive PT10S is not in 100ms..5s");
        assertThatThrownBy(() -> load(Optional.of(file(MINIMAL + "delivery:\n  retention-time: forever\n")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("delivery.retention-time");
    }

    @Test
    void anEmptyFileGivesAServerWithNoApplications() throws IOException {
        assertThat(load(Optional.of(file("")), Map.of()).catalog().applications()).isEmpty();
    }

    private static final String HASH = "pbkdf2-sha256$1000$fgtFs5rwPzzvh6/W+/HqYg$jhX/y4MbGvzE73vIfeGr6+hmcjVPKp8kNw9uyqjyNdE";

    @Test
    void theDemoConfigurationHasTheStreamClientDemoClientReadingDemoWithAnHourLongTokens() {
        ServerConfig config = load(Optional.empty(), Map.of());

        assertThat(config.tokens().clients()).singleElement().satisfies(client -> {
            assertThat(client.id()).isEqualTo("demo-client");
            assertThat(client.streams()).containsExactly("demo");
            assertThat(client.secret().matches("demo-secret")).isTrue();
        });
        assertThat(config.tokens().lifetime()).isEqualTo(java.time.Duration.ofHours(1));
        assertThat(config.tls()).isEmpty();
    }

    @Test
    void aStreamClientWhoseSecretIsNotHashedIsRejectedWithItsLineSayingHowToHashIt() throws IOException {
        Path config = file(MINIMAL + "streams:\n  - {name: s, tenant: t, tokens: [x]}\n"
                + "stream-clients:\n  - {id: c, secret: plain-text, streams: [s]}\n");

        assertThatThrownBy(() -> load(Optional.of(config), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("line 14").hasMessageContaining("stream-clients").hasMessageContaining("hash-secret");
    }

    @Test
    void aStreamClientOfAnUnknownStreamOrTwiceTheSameIdIsRejected() throws IOException {
        String streams = "streams:\n  - {name: s, tenant: t, tokens: [x]}\nstream-clients:\n";
        Path unknown = file(MINIMAL + streams + "  - {id: c, secret: \"" + HASH + "\", streams: [other]}\n");
        assertThatThrownBy(() -> load(Optional.of(unknown), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("stream client c names unknown stream other");

        Path twice = file(MINIMAL + streams + "  - {id: c, secret: \"" + HASH + "\", streams: [s]}\n"
                + "  - {id: c, secret: \"" + HASH + "\", streams: [s]}\n");
        assertThatThrownBy(() -> load(Optional.of(twice), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("duplicate stream client c");
    }

    @Test
    void aTokenSecretShorterThan32BytesIsRejectedAndTheLifetimeComesFromTheEnvironment() {
        assertThatThrownBy(() -> load(Optional.empty(), Map.of("CM_TOKEN_SECRET", "short")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("CM_TOKEN_SECRET").hasMessageContaining("32 bytes");

        assertThat(load(Optional.empty(), Map.of("CM_TOKEN_LIFETIME", "10m")).tokens().lifetime())
                .isEqualTo(java.time.Duration.ofMinutes(10));
    }

    @Test
    void tlsSettingsComeFromCmTlsVariablesAndAPlainPortNeedsACertificate() {
        ServerConfig config = load(Optional.empty(), Map.of("CM_TLS_CERT", "c.pem", "CM_TLS_KEY", "k.pem",
                "CM_TLS_PLAIN_PORT", "8081"));
        assertThat(config.tls()).hasValueSatisfying(tls -> {
            assertThat(tls.cert()).isEqualTo(Path.of("c.pem"));
            assertThat(tls.key()).isEqualTo(Path.of("k.pem"));
            assertThat(tls.plainPort()).hasValue(8081);
            assertThat(tls.reloadCheck()).isEqualTo(java.time.Duration.ofSeconds(10));
        });

        assertThatThrownBy(() -> load(Optional.empty(), Map.of("CM_TLS_PLAIN_PORT", "8081")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tls.plain-port needs tls.cert");
        assertThatThrownBy(() -> load(Optional.empty(), Map.of("CM_TLS_KEY", "k.pem")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("give both or neither");
    }
}
