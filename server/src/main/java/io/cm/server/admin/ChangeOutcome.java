package io.cm.server.admin;

import io.cm.server.config.ConfigProblem;
import io.cm.server.config.ManagedSettings;

import java.util.List;

/** What a change through the admin API comes to. */
public sealed interface ChangeOutcome permits ChangeOutcome.Applied, ChangeOutcome.Stale, ChangeOutcome.Invalid {

    /** In force on this node, stored, and on its way to the other nodes; {@code settings} are the new ones. */
    record Applied(ManagedSettings settings) implements ChangeOutcome {
    }

    /** The caller's {@code If-Match} names another version (412), or another node changed it first. */
    record Stale(String etag) implements ChangeOutcome {
    }

    /** The result breaks the model's rules (400); nothing was changed. */
    record Invalid(List<ConfigProblem> problems) implements ChangeOutcome {
        public Invalid {
            problems = List.copyOf(problems);
        }
    }
}
