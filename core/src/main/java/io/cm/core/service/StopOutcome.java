package io.cm.core.service;

/** What a stop comes to. */
public sealed interface StopOutcome
        permits StopOutcome.Stopped, HeartbeatOutcome.Unknown, HeartbeatOutcome.Gone, HeartbeatOutcome.Killed,
        Throttled {

    record Stopped() implements StopOutcome {
    }
}
