package io.cm.server.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cm.core.service.SessionTimings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Builds the {@link ServerConfig} from, in increasing precedence: defaults, the YAML file (or the
 * built-in demo configuration when none is given), {@code CM_*} environment variables, flags.
 *
 * <p>Environment names: the settings of the {@code server} section are {@code CM_<KEY>}
 * ({@code CM_PORT}, {@code CM_DATA_DIR}, {@code CM_STORE}, {@code CM_REDIS_URL}, {@code CM_EVENTS},
 * {@code CM_KAFKA_BOOTSTRAP}, {@code CM_KAFKA_TOPIC}, {@code CM_CORS_ORIGINS}, {@code CM_ID_SECRET}, {@code CM_HOST},
 * {@code CM_MANAGEMENT_PORT}, {@code CM_MANAGEMENT_HOST}, {@code CM_LOG_FORMAT}, {@code CM_FSYNC}, {@code CM_ADMIN_TOKEN},
 * {@code CM_ADMIN_CONFIG}, {@code CM_TOKEN_SECRET}, {@code CM_TOKEN_LIFETIME}); those of the other
 * sections are {@code CM_<SECTION>_<KEY>}, e.g. {@code CM_THROTTLING_INITS_PER_WINDOW} or
 * {@code CM_DELIVERY_RESUME_WINDOW}. Lists are
 * comma-separated.
 */
public final class ConfigLoader {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);
    private static final String DEMO_RESOURCE = "demo-config.yaml";
    private static final String DEMO_NAME = "built-in demo configuration";
    private static final String ENV_PREFIX = "CM_";
    private static final String CONFIG_ENV = "CM_CONFIG";
    /** HMAC-SHA256 keys shorter than this are guessable; {@code SessionIds} refuses them too. */
    private static final int MIN_ID_SECRET_BYTES = 16;
    /** HS256 needs a key of at least 256 bits. */
    private static final int MIN_TOKEN_SECRET_BYTES = 32;
    private static final Map<String, Class<? extends Record>> SECTIONS = Map.of(
            "server", ConfigFile.Server.class,
            "sessions", ConfigFile.Sessions.class,
            "limits", ConfigFile.Limits.class,
            "throttling", ConfigFile.Throttling.class,
            "delivery", ConfigFile.Delivery.class,
            "http", ConfigFile.Http.class,
            "reports", ConfigFile.Reports.class,
            "tls", ConfigFile.Tls.class);
    private static final ObjectMapper YAML = new ObjectMapper(
            YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    private ConfigLoader() {
    }

    /** @throws ConfigException naming the file or variable, the line or key, and the fault */
    public static ServerConfig load(CommandLineOptions options, Map<String, String> env) {
        Optional<Path> path = options.config().or(() -> Optional.ofNullable(env.get(CONFIG_ENV)).map(Path::of));
        String source = path.map(Path::toString).orElse(DEMO_NAME);
        String text = path.map(ConfigLoader::read).orElseGet(ConfigLoader::demo);

        ObjectNode tree = tree(source, text);
        if (!tree.isEmpty()) bind(source, text);
        applyEnvironment(tree, env);
        options.port().ifPresent(port -> section(tree, "server").put("port", port));
        options.dataDir().ifPresent(dir -> section(tree, "server").put("data-dir", dir.toString()));
        options.host().ifPresent(host -> section(tree, "server").put("host", host));
        ConfigFile merged = bind(source + " with overrides", tree);
        ManagedSettings managed = switch (merged.managed().check()) {
            case ConfigCheck.Valid valid -> valid.settings();
            case ConfigCheck.Invalid invalid -> throw new ConfigException(describe(source, invalid.problems(), text));
        };
        try {
            return build(merged, managed, path.isEmpty());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": " + e.getMessage());
        }
    }

    /** The mapper of the configuration model, for YAML files and JSON trees alike (kebab-case keys, strict). */
    static ObjectMapper mapper() {
        return YAML;
    }

    /** Where binding stopped and why, as a problem of the model. */
    static ConfigProblem problem(JacksonException e) {
        List<JsonMappingException.Reference> path = e instanceof JsonMappingException mapping ? mapping.getPath() : List.of();
        return new ConfigProblem(pointer(path), fault(e));
    }

    /**
     * One line per problem, each with the line of the file where its key starts, or for a key that
     * is missing, the line of the entry that lacks it.
     */
    private static String describe(String source, List<ConfigProblem> problems, String text) {
        List<String> lines = new ArrayList<>();
        for (ConfigProblem problem : problems) {
            OptionalInt line = OptionalInt.empty();
            for (JsonPointer at = problem.at(); line.isEmpty() && at != null; at = at.head()) {
                line = YamlLines.lineOf(text, at);
            }
            String path = problem.path().isEmpty() ? "" : " (" + problem.path() + ")";
            lines.add((line.isPresent() ? "line " + line.getAsInt() + path : problem.path()) + ": " + problem.message());
        }
        if (lines.size() == 1) return source + ": " + lines.getFirst();
        return source + ": " + lines.size() + " problems:\n  " + String.join("\n  ", lines);
    }

    /** Every {@code CM_*} environment variable that names a setting (deployment examples are checked against it). */
    public static List<String> knownVariables() {
        List<String> names = new ArrayList<>(Override.knownNames());
        names.add(CONFIG_ENV);
        return names;
    }

    private static String read(Path path) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(path + ": cannot read the config file (" + e + ")");
        }
    }

    private static String demo() {
        try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEMO_RESOURCE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("the built-in demo configuration is missing from the jar", e);
        }
    }

    /** Binds the text itself (not the merged tree) so that errors carry the file's line numbers. */
    private static void bind(String source, String text) {
        try {
            YAML.readValue(text, ConfigFile.class);
        } catch (JacksonException e) {
            throw new ConfigException(describe(source, e, Optional.of(text)));
        }
    }

    private static ConfigFile bind(String source, ObjectNode tree) {
        try {
            return YAML.treeToValue(tree, ConfigFile.class);
        } catch (JacksonException e) {
            throw new ConfigException(describe(source, e, Optional.empty()));
        }
    }

    private static ObjectNode tree(String source, String text) {
        JsonNode node;
        try {
            node = YAML.readTree(text);
        } catch (JacksonException e) {
            throw new ConfigException(describe(source, e, Optional.of(text)));
        }
        if (node == null || node.isMissingNode() || node.isNull()) return YAML.createObjectNode();
        if (node instanceof ObjectNode object) return object;
        throw new ConfigException(source + ": the top level must be a mapping of sections (" + String.join(", ",
                new TreeSet<>(SECTIONS.keySet())) + ", tenants, policies, streams)");
    }

    private static String describe(String source, JacksonException e, Optional<String> text) {
        StringBuilder message = new StringBuilder(source);
        List<JsonMappingException.Reference> path = e instanceof JsonMappingException mapping ? mapping.getPath() : List.of();
        OptionalInt keyLine = text.isPresent() && !path.isEmpty()
                ? YamlLines.lineOf(text.get(), pointer(path)) : OptionalInt.empty();
        JsonLocation location = e.getLocation();
        if (keyLine.isPresent()) {
            message.append(": line ").append(keyLine.getAsInt());
        } else if (text.isPresent() && location != null && location.getLineNr() > 0) {
            message.append(": line ").append(location.getLineNr()).append(", column ").append(location.getColumnNr());
        }
        if (!path.isEmpty()) message.append(" (").append(keyPath(path)).append(')');
        return message.append(": ").append(fault(e)).toString();
    }

    private static JsonPointer pointer(List<JsonMappingException.Reference> path) {
        JsonPointer pointer = JsonPointer.empty();
        for (JsonMappingException.Reference ref : path) {
            pointer = ref.getIndex() >= 0 ? pointer.appendIndex(ref.getIndex()) : pointer.appendProperty(ref.getFieldName());
        }
        return pointer;
    }

    private static String keyPath(List<JsonMappingException.Reference> path) {
        StringBuilder key = new StringBuilder();
        for (JsonMappingException.Reference ref : path) {
            if (ref.getIndex() >= 0) {
                key.append('[').append(ref.getIndex()).append(']');
            } else if (ref.getFieldName() != null) {
                if (!key.isEmpty()) key.append('.');
                key.append(ref.getFieldName());
            }
        }
        return key.toString();
    }

    private static String fault(JacksonException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            String known = unknown.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", "));
            return "unknown key '" + unknown.getPropertyName() + "' (known keys: " + known + ")";
        }
        if (e instanceof ValueInstantiationException invalid && invalid.getCause() != null) {
            return invalid.getCause().getMessage();
        }
        return e.getOriginalMessage();
    }

    private static ObjectNode section(ObjectNode tree, String name) {
        JsonNode existing = tree.get(name);
        return existing instanceof ObjectNode object ? object : tree.putObject(name);
    }

    private static void applyEnvironment(ObjectNode tree, Map<String, String> env) {
        for (Map.Entry<String, String> variable : new TreeMap<>(env).entrySet()) {
            String name = variable.getKey();
            if (!name.startsWith(ENV_PREFIX) || name.equals(CONFIG_ENV)) continue;
            Optional<Override> override = Override.of(name);
            if (override.isEmpty()) {
                LOG.warn("Ignoring unknown setting {} (known: {})", name, Override.knownNames());
                continue;
            }
            ObjectNode single = YAML.createObjectNode();
            override.get().apply(single, variable.getValue());
            bind(name + "=" + variable.getValue(), single);
            override.get().apply(tree, variable.getValue());
        }
    }

    /** One environment variable's place in the file: a key of a section. */
    private record Override(String section, String key, boolean list) {

        static Optional<Override> of(String variable) {
            String rest = variable.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
            for (String section : SECTIONS.keySet()) {
                if (!section.equals("server") && rest.startsWith(section + "_")) {
                    return inSection(section, rest.substring(section.length() + 1));
                }
            }
            return inSection("server", rest);
        }

        private static Optional<Override> inSection(String section, String envKey) {
            String key = envKey.replace('_', '-');
            return Arrays.stream(SECTIONS.get(section).getRecordComponents())
                    .filter(component -> kebab(component).equals(key))
                    .findFirst()
                    .map(component -> new Override(section, key, component.getType() == List.class));
        }

        static List<String> knownNames() {
            List<String> names = new ArrayList<>();
            SECTIONS.forEach((section, type) -> {
                for (RecordComponent component : type.getRecordComponents()) {
                    String key = kebab(component).replace('-', '_').toUpperCase(Locale.ROOT);
                    names.add(ENV_PREFIX + (section.equals("server") ? "" : section.toUpperCase(Locale.ROOT) + "_") + key);
                }
            });
            names.sort(null);
            return names;
        }

        private static String kebab(RecordComponent component) {
            return new PropertyNamingStrategies.KebabCaseStrategy().translate(component.getName());
        }

        void apply(ObjectNode tree, String value) {
            ObjectNode target = ConfigLoader.section(tree, section);
            if (list) {
                ArrayNode items = target.putArray(key);
                Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(items::add);
            } else {
                target.put(key, value);
            }
        }
    }

    /** @param builtIn no config file was given: the built-in demo configuration runs */
    private static ServerConfig build(ConfigFile file, ManagedSettings managed, boolean builtIn) {
        ConfigFile.Server server = orEmpty(file.server(), () -> new ConfigFile.Server(null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null));
        ConfigFile.Sessions sessions = orEmpty(file.sessions(), () -> new ConfigFile.Sessions(null, null, null));
        ConfigFile.Limits limits = orEmpty(file.limits(), () -> new ConfigFile.Limits(null, null, null, null));
        ConfigFile.Throttling throttling = orEmpty(file.throttling(), () -> new ConfigFile.Throttling(null, null, null));
        ConfigFile.Delivery delivery = orEmpty(file.delivery(),
                () -> new ConfigFile.Delivery(null, null, null, null, null, null));
        ConfigFile.Http http = orEmpty(file.http(), () -> new ConfigFile.Http(null, null, null, null, null, null));
        ConfigFile.Tls tls = orEmpty(file.tls(), () -> new ConfigFile.Tls(null, null, null, null));

        int port = or(server.port(), 8080);
        if (port < 0 || port > 65535) throw new IllegalArgumentException("server.port " + port + " is not a TCP port");
        ServerConfig.StoreKind store = kind(ServerConfig.StoreKind.class, "server.store", server.store());
        ServerConfig.EventsKind events = kind(ServerConfig.EventsKind.class, "server.events", server.events());
        ServerConfig.Fsync fsync = kind(ServerConfig.Fsync.class, "server.fsync (CM_FSYNC)", server.fsync());
        if (store == ServerConfig.StoreKind.REDIS && isBlank(server.redisUrl())) {
            throw new IllegalArgumentException("server.redis-url (CM_REDIS_URL) is required when server.store is redis");
        }
        if (store == ServerConfig.StoreKind.REDIS && isBlank(server.idSecret())) {
            throw new IllegalArgumentException("server.id-secret (CM_ID_SECRET) is required when server.store is redis: "
                    + "every node must sign session ids with the same key to recognise the others' ids");
        }
        if (!isBlank(server.idSecret()) && server.idSecret().getBytes(StandardCharsets.UTF_8).length < MIN_ID_SECRET_BYTES) {
            throw new IllegalArgumentException("server.id-secret (CM_ID_SECRET) must be at least " + MIN_ID_SECRET_BYTES
                    + " bytes long: it is the key that signs session ids");
        }
        Optional<KafkaSettings> kafka = events == ServerConfig.EventsKind.KAFKA
                ? Optional.of(new KafkaSettings(server.kafkaBootstrap(), or(server.kafkaTopic(), KafkaSettings.DEFAULT_TOPIC)))
                : Optional.empty();

        SessionTimings defaults = SessionTimings.DEFAULTS;
        SessionTimings timings = new SessionTimings(
                duration("sessions.heartbeat-interval", sessions.heartbeatInterval(), defaults.heartbeatInterval()),
                duration("sessions.grace", sessions.grace(), defaults.grace()),
                duration("sessions.ended-retention", sessions.endedRetention(), defaults.endedRetention()));
        InputLimits inputDefaults = InputLimits.DEFAULTS;
        InputLimits inputLimits = new InputLimits(
                or(limits.maxMetadataKeys(), inputDefaults.maxMetadataKeys()),
                or(limits.maxKeyLength(), inputDefaults.maxKeyLength()),
                or(limits.maxValueLength(), inputDefaults.maxValueLength()),
                or(limits.maxIdLength(), inputDefaults.maxIdLength()));
        ThrottleSettings throttleDefaults = ThrottleSettings.DEFAULTS;
        ThrottleSettings throttle = new ThrottleSettings(
                or(throttling.initsPerWindow(), throttleDefaults.initsPerWindow()),
                or(throttling.sessionRequestsPerWindow(), throttleDefaults.sessionRequestsPerWindow()),
                duration("throttling.window", throttling.window(), throttleDefaults.window()));
        DeliverySettings deliveryDefaults = DeliverySettings.DEFAULTS;
        DeliverySettings deliverySettings = new DeliverySettings(
                or(delivery.partitions(), deliveryDefaults.partitions()),
                duration("delivery.retention-time", delivery.retentionTime(), deliveryDefaults.retentionTime()),
                or(delivery.retentionCount(), deliveryDefaults.retentionCount()),
                duration("delivery.resume-window", delivery.resumeWindow(), deliveryDefaults.resumeWindow()),
                duration("delivery.keepalive", delivery.keepalive(), deliveryDefaults.keepalive()),
                duration("delivery.replay-margin", delivery.replayMargin(), deliveryDefaults.replayMargin()));

        HttpSettings httpDefaults = HttpSettings.DEFAULTS;
        String host = or(server.host(), httpDefaults.host());
        HttpSettings httpSettings = new HttpSettings(host,
                server.managementPort() == null ? OptionalInt.empty() : OptionalInt.of(server.managementPort()),
                or(server.managementHost(), host),
                or(http.maxConnections(), httpDefaults.maxConnections()),
                duration("http.request-read-timeout", http.requestReadTimeout(), httpDefaults.requestReadTimeout()),
                duration("http.idle-timeout", http.idleTimeout(), httpDefaults.idleTimeout()),
                or(http.failedAuthLimit(), httpDefaults.failedAuthLimit()),
                duration("http.failed-auth-window", http.failedAuthWindow(), httpDefaults.failedAuthWindow()),
                or(http.accessLog(), httpDefaults.accessLog()));
        if (httpSettings.idleTimeout().compareTo(deliverySettings.keepalive()) <= 0) {
            throw new IllegalArgumentException("http.idle-timeout " + httpSettings.idleTimeout() + " must be longer than "
                    + "delivery.keepalive " + deliverySettings.keepalive() + ", or idle live streams would be cut");
        }
        if (httpSettings.managementPort().isPresent() && httpSettings.managementPort().getAsInt() == port && port != 0) {
            throw new IllegalArgumentException("server.management-port must differ from server.port (" + port + ")");
        }

        Set<String> streamNames = managed.streams().stream().map(LiveStreamSettings::name).collect(Collectors.toSet());
        TokenSettings tokens = tokens(server, file.streamClients(), streamNames);
        Optional<TlsSettings> tlsSettings = tls(tls, port);
        return new ServerConfig(port, Path.of(or(server.dataDir(), "data")), store, Optional.ofNullable(server.redisUrl()),
                events, kafka, timings, inputLimits, throttle,
                server.corsOrigins() == null ? List.of() : server.corsOrigins(), managed, deliverySettings,
                Optional.ofNullable(server.idSecret()).filter(s -> !s.isEmpty()), httpSettings,
                kind(ServerConfig.LogFormat.class, "server.log-format", server.logFormat()), fsync, admin(server, builtIn),
                reports(orEmpty(file.reports(), () -> new ConfigFile.Reports(null, null, null, null, null))),
                tlsSettings, tokens);
    }

    private static TokenSettings tokens(ConfigFile.Server server, List<ConfigFile.StreamClientEntry> entries,
                                        Set<String> streamNames) {
        if (!isBlank(server.tokenSecret())
                && server.tokenSecret().getBytes(StandardCharsets.UTF_8).length < MIN_TOKEN_SECRET_BYTES) {
            throw new IllegalArgumentException("server.token-secret (CM_TOKEN_SECRET) must be at least "
                    + MIN_TOKEN_SECRET_BYTES + " bytes long: it is the key that signs access tokens");
        }
        List<StreamClientSettings> clients = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (ConfigFile.StreamClientEntry entry : entries) {
            if (!ids.add(entry.id())) throw new IllegalArgumentException("duplicate stream client " + entry.id());
            for (String stream : entry.streams()) {
                if (!streamNames.contains(stream)) {
                    throw new IllegalArgumentException("stream client " + entry.id() + " names unknown stream " + stream);
                }
            }
            clients.add(entry.toSettings());
        }
        return new TokenSettings(Optional.ofNullable(server.tokenSecret()).filter(s -> !s.isBlank()),
                duration("server.token-lifetime", server.tokenLifetime(), TokenSettings.DEFAULT_LIFETIME), clients);
    }

    private static Optional<TlsSettings> tls(ConfigFile.Tls tls, int port) {
        if (isBlank(tls.cert()) != isBlank(tls.key())) {
            throw new IllegalArgumentException("tls.cert (CM_TLS_CERT) and tls.key (CM_TLS_KEY) go together: give both or neither");
        }
        if (isBlank(tls.cert())) {
            if (tls.plainPort() != null) throw new IllegalArgumentException("tls.plain-port needs tls.cert and tls.key");
            return Optional.empty();
        }
        if (tls.plainPort() != null && tls.plainPort() == port && port != 0) {
            throw new IllegalArgumentException("tls.plain-port must differ from server.port (" + port + ")");
        }
        return Optional.of(new TlsSettings(Path.of(tls.cert()), Path.of(tls.key()),
                tls.plainPort() == null ? OptionalInt.empty() : OptionalInt.of(tls.plainPort()),
                duration("tls.reload-check", tls.reloadCheck(), TlsSettings.DEFAULT_RELOAD_CHECK)));
    }

    private static AdminSettings admin(ConfigFile.Server server, boolean builtIn) {
        List<AdminSettings.Token> tokens = AdminSettings.parseTokens(server.adminToken());
        return new AdminSettings(tokens, builtIn && tokens.isEmpty(), AdminSettings.precedence(server.adminConfig()));
    }

    private static ReportSettings reports(ConfigFile.Reports reports) {
        ReportSettings defaults = ReportSettings.DEFAULTS;
        return new ReportSettings(duration("reports.minutes", reports.minutes(), defaults.minutes()),
                duration("reports.hours", reports.hours(), defaults.hours()),
                duration("reports.days", reports.days(), defaults.days()),
                duration("reports.months", reports.months(), defaults.months()),
                duration("reports.lateness", reports.lateness(), defaults.lateness()));
    }

    private static <T> T orEmpty(T value, java.util.function.Supplier<T> empty) {
        return value == null ? empty.get() : value;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }

    private static Duration duration(String key, String text, Duration fallback) {
        if (text == null) return fallback;
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
    }

    private static <E extends Enum<E>> E kind(Class<E> type, String key, String text) {
        if (text == null) return type.getEnumConstants()[0];
        Function<E, String> name = e -> e.name().toLowerCase(Locale.ROOT);
        for (E constant : type.getEnumConstants()) {
            if (name.apply(constant).equals(text.trim().toLowerCase(Locale.ROOT))) return constant;
        }
        throw new IllegalArgumentException(key + ": unknown value '" + text + "' (expected "
                + Arrays.stream(type.getEnumConstants()).map(name).collect(Collectors.joining(" or ")) + ")");
    }
}
