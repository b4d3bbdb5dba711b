package io.cm.client;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A running session of the subscriber, as the service shows it: in a conflict (one the user could stop
 * to make room) or in {@link ConcurrencyClient#runningStreams}. {@code terminationCode} is what
 * {@link ConcurrencyConflict#retryTerminating} takes to stop it. The application and start time are
 * optional because the seed's 409 format does not require them.
 *
 * @param sessionId       the session's id
 * @param terminationCode the code that ends it ({@code X-Terminate})
 * @param applicationId   the application that started it
 * @param applicationName that application's display name, to show the user
 * @param startTime       when it started (service clock)
 * @param metadata        what it plays and where: device, channel, content…
 */
public record ActiveSession(String sessionId, String terminationCode, Optional<String> applicationId,
                            Optional<String> applicationName, Optional<Instant> startTime,
                            Map<String, String> metadata) {

    /** Copies {@code metadata}; every component is required (use {@link Optional#empty()} for absent ones). */
    public ActiveSession {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(terminationCode, "terminationCode");
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(applicationName, "applicationName");
        Objects.requireNonNull(startTime, "startTime");
        metadata = Map.copyOf(metadata);
    }
}
