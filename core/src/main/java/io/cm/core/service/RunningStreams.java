package io.cm.core.service;

import io.cm.core.session.Session;

import java.util.List;
import java.util.Optional;

/**
 * The subject's active sessions visible to the caller, and how many others exist.
 * {@code expires} is the earliest expiry among the listed sessions.
 */
public record RunningStreams(List<Session> visible, int otherStreams, Optional<Long> expires) {
    public RunningStreams {
        visible = List.copyOf(visible);
    }
}
