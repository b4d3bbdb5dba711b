package io.cm.core.policy;

import java.util.List;
import java.util.Optional;

/**
 * An application of a tenant, identified by the id apps send as their HTTP Basic user name.
 * {@code secret} is empty when the application authenticates with an empty password.
 */
public record Application(String id, String tenant, String name, Optional<String> platform,
                          List<String> policies, Optional<String> secret) {
    public Application {
        if (id == null || id.isBlank()) throw new IllegalArgumentException("application id is required");
        if (tenant == null || tenant.isBlank()) throw new IllegalArgumentException("application " + id + " has no tenant");
        name = name == null || name.isBlank() ? id : name;
        platform = platform == null ? Optional.empty() : platform;
        policies = List.copyOf(policies);
        secret = secret == null ? Optional.empty() : secret;
    }

    public boolean references(String policyName) {
        return policies.contains(policyName);
    }
}
