package io.cm.core.service;

import io.cm.core.session.Session;

/** What an operator's kill of one session comes to. */
public sealed interface KillOutcome permits KillOutcome.Killed, KillOutcome.NotActive {

    /** The session was active and is now ended; its next call learns it was killed by an operator. */
    record Killed(Session session) implements KillOutcome {
    }

    /** No active session of the subject has this id (never issued, or already ended). */
    record NotActive() implements KillOutcome {
    }
}
