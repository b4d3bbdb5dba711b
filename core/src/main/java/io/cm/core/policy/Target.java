package io.cm.core.policy;

import java.util.Map;
import java.util.Set;

/** Narrows a policy to sessions whose metadata {@code attribute} equals one of {@code values}. */
public record Target(String attribute, Set<String> values) {
    public Target {
        if (attribute == null || attribute.isBlank()) throw new IllegalArgumentException("target attribute is required");
        if (values == null || values.isEmpty()) throw new IllegalArgumentException("target values must not be empty");
        values = Set.copyOf(values);
    }

    public boolean matches(Map<String, String> metadata) {
        String value = metadata.get(attribute);
        return value != null && values.contains(value);
    }
}
