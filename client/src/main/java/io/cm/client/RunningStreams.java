package io.cm.client;

import java.util.List;

/**
 * The subscriber's active sessions that the calling application may see, and how many others run
 * (started by applications it may not see, which it can neither list nor stop).
 *
 * @param streams      the visible sessions, each with its termination code
 * @param otherStreams the count of active sessions not listed
 */
public record RunningStreams(List<ActiveSession> streams, int otherStreams) {

    /** Copies {@code streams}. */
    public RunningStreams {
        streams = List.copyOf(streams);
    }
}
