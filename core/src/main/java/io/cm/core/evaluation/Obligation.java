package io.cm.core.evaluation;

import java.util.List;

/** Something the app must do before asking again, e.g. {@code refresh ["metadata"]} with the missing keys. */
public record Obligation(String action, List<String> arguments, List<String> missing) {
    public Obligation {
        arguments = List.copyOf(arguments);
        missing = List.copyOf(missing);
    }

    public static Obligation refreshMetadata(List<String> missingKeys) {
        return new Obligation("refresh", List.of("metadata"), missingKeys);
    }
}
