package io.cm.core.service;

import io.cm.core.evaluation.Advice;
import io.cm.core.evaluation.Evaluation;
import io.cm.core.session.Session;

/** What a heartbeat comes to; the ended and unknown cases are also what a stop can come to. */
public sealed interface HeartbeatOutcome
        permits HeartbeatOutcome.Alive, HeartbeatOutcome.Unknown, HeartbeatOutcome.Gone, HeartbeatOutcome.Killed,
        HeartbeatOutcome.Denied, HeartbeatOutcome.ImmutableMetadata, Throttled {

    /** Heartbeat accepted; the next heartbeat is due by {@code expires}. */
    record Alive(Session session, long now, long expires) implements HeartbeatOutcome {
    }

    /** Never issued by this service for this caller and subject (404). */
    record Unknown() implements HeartbeatOutcome, StopOutcome {
    }

    /** Stopped or expired (410, no body). */
    record Gone() implements HeartbeatOutcome, StopOutcome {
    }

    /** Killed by another session's X-Terminate (410 with the advice). */
    record Killed(Advice.RemoteTermination advice) implements HeartbeatOutcome, StopOutcome {
    }

    /** Dismissed by a FIFO policy, or denied by a policy on this heartbeat; the session is ended (409). */
    record Denied(Evaluation evaluation) implements HeartbeatOutcome {
    }

    /** An immutable metadata key was given a new value (400); nothing changed. */
    record ImmutableMetadata(String key) implements HeartbeatOutcome {
    }
}
