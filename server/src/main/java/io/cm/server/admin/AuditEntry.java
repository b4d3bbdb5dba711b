package io.cm.server.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * One line of the audit trail (SPEC §9): when, which token's name, the request, and what changed,
 * item by item. Secrets (application secrets, stream tokens) never appear in it.
 *
 * @param at     ISO-8601 UTC
 * @param etag   the configuration's ETag after a configuration change; absent for operator actions
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditEntry(String at, String token, String action, String etag, List<Change> changes) {

    public AuditEntry {
        changes = List.copyOf(changes);
    }

    /**
     * What happened to one item: {@code kind} policy, tenant, application, stream, session or subject;
     * {@code change} added, changed, removed, killed or ended; the item before and after (as JSON)
     * where it existed.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Change(String kind, String name, String change, JsonNode before, JsonNode after) {
    }
}
