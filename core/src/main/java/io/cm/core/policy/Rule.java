package io.cm.core.policy;

import java.util.Optional;

/**
 * One limit of a policy. The three kinds are the spec's rule types; {@link #name()} is what a
 * rule-violation advice reports as {@code rule} (the configured name, else the type's default).
 */
public sealed interface Rule {

    String name();

    int limit();

    /** The metadata key this rule counts by, if it counts by one. */
    Optional<String> attribute();

    /** At most {@code limit} sessions. */
    record MaxStreams(String name, int limit) implements Rule {
        public MaxStreams {
            name = defaultName(name, "max_streams");
            requirePositive(limit);
        }

        @Override
        public Optional<String> attribute() {
            return Optional.empty();
        }
    }

    /** At most {@code limit} sessions sharing the evaluated session's value of {@code attribute}. */
    record MaxPerValue(String name, String attributeName, int limit) implements Rule {
        public MaxPerValue {
            name = defaultName(name, "max_per_value");
            requireAttribute(attributeName);
            requirePositive(limit);
        }

        @Override
        public Optional<String> attribute() {
            return Optional.of(attributeName);
        }
    }

    /** At most {@code limit} distinct values of {@code attribute}. */
    record MaxDistinct(String name, String attributeName, int limit) implements Rule {
        public MaxDistinct {
            name = defaultName(name, "max_distinct");
            requireAttribute(attributeName);
            requirePositive(limit);
        }

        @Override
        public Optional<String> attribute() {
            return Optional.of(attributeName);
        }
    }

    private static String defaultName(String name, String fallback) {
        return name == null || name.isBlank() ? fallback : name;
    }

    private static void requirePositive(int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }

    private static void requireAttribute(String attribute) {
        if (attribute == null || attribute.isBlank()) throw new IllegalArgumentException("attribute is required");
    }
}
