package io.cm.core.service;

import io.cm.core.evaluation.Evaluation;
import io.cm.core.session.Session;

import java.util.List;

/** What an init comes to. */
public sealed interface StartOutcome
        permits StartOutcome.Started, StartOutcome.Denied, StartOutcome.MissingMetadata, Throttled {

    /** Admitted; the next heartbeat is due by {@code expires} (epoch ms). */
    record Started(Session session, long now, long expires) implements StartOutcome {
    }

    /** Denied by policy (409). */
    record Denied(Evaluation evaluation) implements StartOutcome {
    }

    /** Required metadata missing (400 with a refresh obligation). */
    record MissingMetadata(List<String> missing, Evaluation evaluation) implements StartOutcome {
    }
}
