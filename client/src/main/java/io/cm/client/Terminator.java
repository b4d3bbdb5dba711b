package io.cm.client;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The session that ended this one with {@code X-Terminate} (the {@code remote-termination} advice of
 * a 410), as the user may be shown it: "stopped because a stream started on the living-room TV (news)".
 *
 * @param terminatedBy    the id of the session that was started in this one's place
 * @param reason          the service's reason
 * @param applicationName the application that started it
 * @param deviceName      its device, when its metadata named one
 * @param channel         its channel, when its metadata named one
 * @param startTime       when it started (service clock)
 */
public record Terminator(String terminatedBy, String reason, Optional<String> applicationName,
                         Optional<String> deviceName, Optional<String> channel, Optional<Instant> startTime) {

    /** Every component is required (use {@link Optional#empty()} for absent ones). */
    public Terminator {
        Objects.requireNonNull(terminatedBy, "terminatedBy");
        Objects.requireNonNull(reason, "reason");
    }
}
