package io.cm.server.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What operators may change while the server runs (SPEC §9): tenants with their applications,
 * policies, live streams. The config file's sections of these names and the admin API's JSON are
 * this one model, bound by one mapper and checked by one {@link #check()}. Values are taken as
 * written; nothing here is valid until checked.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ManagedConfig(List<Tenant> tenants, List<PolicyEntry> policies, List<StreamEntry> streams) {

    /** Settings nobody configured: no tenants, policies or streams. */
    public static final ManagedConfig EMPTY = new ManagedConfig(List.of(), List.of(), List.of());

    private static final ObjectMapper CANONICAL = ConfigLoader.mapper().copy()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    public ManagedConfig {
        tenants = listOf(tenants);
        policies = listOf(policies);
        streams = listOf(streams);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Tenant(String id, String name, List<ApplicationEntry> applications) {
        public Tenant {
            applications = listOf(applications);
        }
    }

    /** {@code secret}: the HTTP Basic password; absent means an empty one. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ApplicationEntry(String id, String name, String platform, List<String> policies, String secret) {
        public ApplicationEntry {
            policies = listOf(policies);
        }
    }

    /** {@code mode}: LIFO (the default) or FIFO, in any case. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PolicyEntry(String name, String mode, TargetEntry target, List<RuleEntry> rules) {
        public PolicyEntry {
            rules = listOf(rules);
        }
    }

    public record TargetEntry(String attribute, List<String> values) {
        public TargetEntry {
            values = listOf(values);
        }
    }

    /** {@code type}: max-streams, max-per-value or max-distinct; the last two count by {@code attribute}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RuleEntry(String type, String name, Integer limit, String attribute) {
    }

    /** {@code types}: the event types the stream carries, by wire name; absent (null) means all. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StreamEntry(String name, String tenant, List<String> tokens, List<String> types) {
        public StreamEntry {
            tokens = listOf(tokens);
            types = types == null ? null : listOf(types);
        }
    }

    private static <T> List<T> listOf(List<T> items) {
        // Jackson gives null for an absent list; a list written with holes keeps them for the check to report.
        return items == null ? List.of() : java.util.Collections.unmodifiableList(new ArrayList<>(items));
    }

    /** Checks every rule of the model and lists every broken one; see {@link ManagedConfigCheck}. */
    public ConfigCheck check() {
        return new ManagedConfigCheck(this).run();
    }

    /**
     * Binds and checks a JSON (or YAML) tree of this model, e.g. an admin API body. A tree that does
     * not bind (an unknown key, a value of the wrong type) is one problem, where binding stopped.
     */
    public static ConfigCheck read(JsonNode tree) {
        return bind(tree, ManagedConfig.class).map(ManagedConfig::check, ConfigCheck.Invalid::new);
    }

    /** A tree bound to one part of the model (a policy, a tenant…), or the problem that stopped binding. */
    public static <T> Bound<T> bind(JsonNode tree, Class<T> type) {
        if (tree == null || !tree.isObject()) {
            return new Bound<>(null, List.of(new ConfigProblem(com.fasterxml.jackson.core.JsonPointer.empty(),
                    "a JSON object is required")));
        }
        try {
            return new Bound<>(ConfigLoader.mapper().treeToValue(tree, type), List.of());
        } catch (JacksonException e) {
            return new Bound<>(null, List.of(ConfigLoader.problem(e)));
        }
    }

    /** The outcome of {@link #bind}: a value, or the problems that kept it from binding. */
    public record Bound<T>(T value, List<ConfigProblem> problems) {
        public <R> R map(Function<T, R> bound, Function<List<ConfigProblem>, R> failed) {
            return problems.isEmpty() ? bound.apply(value) : failed.apply(problems);
        }
    }

    /** The model as JSON, in the order it was written, without absent keys. */
    public JsonNode toJson() {
        return CANONICAL.valueToTree(this);
    }

    /**
     * A strong ETag of the content: equal configurations have equal tags on every node and across
     * restarts, and any change gives another.
     */
    public String etag() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(CANONICAL.writeValueAsBytes(this));
            return '"' + HexFormat.of().formatHex(digest, 0, 12) + '"';
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException("the configuration cannot be hashed", e);
        }
    }

    public Optional<Tenant> tenant(String id) {
        return tenants.stream().filter(t -> id.equals(t.id())).findFirst();
    }

    public Optional<PolicyEntry> policy(String name) {
        return policies.stream().filter(p -> name.equals(p.name())).findFirst();
    }

    public Optional<StreamEntry> stream(String name) {
        return streams.stream().filter(s -> name.equals(s.name())).findFirst();
    }

    /** This configuration with {@code tenant} in place of the tenant of its id, or added last. */
    public ManagedConfig withTenant(Tenant tenant) {
        return new ManagedConfig(replaced(tenants, t -> tenant.id().equals(t.id()), tenant), policies, streams);
    }

    public ManagedConfig withoutTenant(String id) {
        return new ManagedConfig(without(tenants, t -> id.equals(t.id())), policies, streams);
    }

    public ManagedConfig withPolicy(PolicyEntry policy) {
        return new ManagedConfig(tenants, replaced(policies, p -> policy.name().equals(p.name()), policy), streams);
    }

    public ManagedConfig withoutPolicy(String name) {
        return new ManagedConfig(tenants, without(policies, p -> name.equals(p.name())), streams);
    }

    public ManagedConfig withStream(StreamEntry stream) {
        return new ManagedConfig(tenants, policies, replaced(streams, s -> stream.name().equals(s.name()), stream));
    }

    public ManagedConfig withoutStream(String name) {
        return new ManagedConfig(tenants, policies, without(streams, s -> name.equals(s.name())));
    }

    private static <T> List<T> replaced(List<T> items, Predicate<T> same, T replacement) {
        List<T> next = new ArrayList<>(items.size() + 1);
        boolean found = false;
        for (T item : items) {
            if (same.test(item)) {
                next.add(replacement);
                found = true;
            } else {
                next.add(item);
            }
        }
        if (!found) next.add(replacement);
        return next;
    }

    private static <T> List<T> without(List<T> items, Predicate<T> gone) {
        return items.stream().filter(gone.negate()).toList();
    }
}
