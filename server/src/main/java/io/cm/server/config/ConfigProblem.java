package io.cm.server.config;

import com.fasterxml.jackson.core.JsonPointer;

/** One thing wrong with a configuration: where ({@code at}, in the model's tree) and what. */
public record ConfigProblem(JsonPointer at, String message) {

    /** The place as operators read it, e.g. {@code policies[0].rules[1].limit}; empty for the whole. */
    public String path() {
        StringBuilder path = new StringBuilder();
        for (JsonPointer p = at; p != null && !p.matches(); p = p.tail()) {
            if (p.mayMatchElement()) {
                path.append('[').append(p.getMatchingIndex()).append(']');
            } else {
                if (!path.isEmpty()) path.append('.');
                path.append(p.getMatchingProperty());
            }
        }
        return path.toString();
    }

    @Override
    public String toString() {
        return path().isEmpty() ? message : path() + ": " + message;
    }
}
