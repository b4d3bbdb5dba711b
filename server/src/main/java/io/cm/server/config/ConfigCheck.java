package io.cm.server.config;

import java.util.List;

/** What checking a {@link ManagedConfig} comes to. */
public sealed interface ConfigCheck permits ConfigCheck.Valid, ConfigCheck.Invalid {

    /** Every rule holds: the settings decisions and live streams can run under. */
    record Valid(ManagedSettings settings) implements ConfigCheck {
    }

    /** At least one rule is broken; {@code problems} lists every one found. */
    record Invalid(List<ConfigProblem> problems) implements ConfigCheck {
        public Invalid {
            problems = List.copyOf(problems);
            if (problems.isEmpty()) throw new IllegalArgumentException("an invalid configuration has problems");
        }
    }
}
