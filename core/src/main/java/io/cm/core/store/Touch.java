package io.cm.core.store;

import io.cm.core.session.Session;

/** What {@link SessionStore#touch} comes to. */
public sealed interface Touch {

    /** The session was active and had been evaluated under the current policies: its times moved on. */
    record Touched(Session session) implements Touch {
    }

    /**
     * The store cannot settle the heartbeat by moving times: the session is not active (ended,
     * expired, unknown here), or the subject's sessions were last evaluated under other policies.
     * Nothing changed and nothing was taken from the budget; the caller decides in full.
     */
    record Undecided() implements Touch {
    }
}
