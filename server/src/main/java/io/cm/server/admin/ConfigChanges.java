package io.cm.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cm.server.config.ManagedConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What changed between two configurations, item by item, for the audit trail. Secrets are replaced
 * by {@value #REDACTED} (a changed secret still shows as a change).
 */
final class ConfigChanges {

    static final String REDACTED = "<redacted>";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigChanges() {
    }

    static List<AuditEntry.Change> between(ManagedConfig before, ManagedConfig after) {
        List<AuditEntry.Change> changes = new ArrayList<>();
        compare(changes, "policy", index(before.policies(), ManagedConfig.PolicyEntry::name),
                index(after.policies(), ManagedConfig.PolicyEntry::name), ConfigChanges::json, ConfigChanges::json);
        compare(changes, "tenant", index(before.tenants(), ManagedConfig.Tenant::id),
                index(after.tenants(), ManagedConfig.Tenant::id), ConfigChanges::tenantOnly, ConfigChanges::tenantOnly);
        compare(changes, "application", applications(before), applications(after), ConfigChanges::application,
                ConfigChanges::redactedApplication);
        compare(changes, "stream", index(before.streams(), ManagedConfig.StreamEntry::name),
                index(after.streams(), ManagedConfig.StreamEntry::name), ConfigChanges::json, ConfigChanges::redactedStream);
        return changes;
    }

    /**
     * @param compared what is compared (the whole item, secrets included)
     * @param shown    what the audit trail shows of it
     */
    private static <T> void compare(List<AuditEntry.Change> changes, String kind, Map<String, T> before,
                                    Map<String, T> after, Function<T, JsonNode> compared, Function<T, JsonNode> shown) {
        before.forEach((name, old) -> {
            T now = after.get(name);
            if (now == null) {
                changes.add(new AuditEntry.Change(kind, name, "removed", shown.apply(old), null));
            } else if (!Objects.equals(compared.apply(old), compared.apply(now))) {
                changes.add(new AuditEntry.Change(kind, name, "changed", shown.apply(old), shown.apply(now)));
            }
        });
        after.forEach((name, now) -> {
            if (!before.containsKey(name)) changes.add(new AuditEntry.Change(kind, name, "added", null, shown.apply(now)));
        });
    }

    private static <T> Map<String, T> index(List<T> items, Function<T, String> key) {
        Map<String, T> index = new LinkedHashMap<>();
        for (T item : items) index.putIfAbsent(key.apply(item), item);
        return index;
    }

    private record TenantApplication(String tenant, ManagedConfig.ApplicationEntry application) {
    }

    /** Applications by id, with their tenant: moving one to another tenant is a change of it. */
    private static Map<String, TenantApplication> applications(ManagedConfig config) {
        Map<String, TenantApplication> index = new LinkedHashMap<>();
        for (ManagedConfig.Tenant tenant : config.tenants()) {
            for (ManagedConfig.ApplicationEntry app : tenant.applications()) {
                index.putIfAbsent(app.id(), new TenantApplication(tenant.id(), app));
            }
        }
        return index;
    }

    private static JsonNode json(Object item) {
        return JSON.valueToTree(item);
    }

    private static JsonNode tenantOnly(ManagedConfig.Tenant tenant) {
        ObjectNode node = JSON.createObjectNode().put("id", tenant.id());
        if (tenant.name() != null) node.put("name", tenant.name());
        return node;
    }

    private static JsonNode application(TenantApplication app) {
        ObjectNode node = (ObjectNode) json(app.application());
        return node.put("tenant", app.tenant());
    }

    private static JsonNode redactedApplication(TenantApplication app) {
        ObjectNode node = (ObjectNode) application(app);
        if (node.hasNonNull("secret")) node.put("secret", REDACTED);
        return node;
    }

    private static JsonNode redactedStream(ManagedConfig.StreamEntry stream) {
        ObjectNode node = (ObjectNode) json(stream);
        ArrayNode tokens = node.putArray("tokens");
        stream.tokens().forEach(t -> tokens.add(REDACTED));
        return node;
    }
}
