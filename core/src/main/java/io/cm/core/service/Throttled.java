package io.cm.core.service;

/** The request's budget is spent (429); nothing was decided. The next request is accepted from {@code acceptedFrom} (epoch ms). */
public record Throttled(long acceptedFrom) implements StartOutcome, HeartbeatOutcome, StopOutcome {
}
