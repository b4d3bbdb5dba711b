package io.cm.client;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The server's own times in response headers. Durations are always taken between two instants of
 * the server's clock ({@code Expires} − {@code Date}), never against the local clock, so a client
 * whose clock is off by minutes still waits exactly what the server meant.
 */
final class ServerTimes {

    private ServerTimes() {
    }

    /** When the server answered, by its clock. */
    static Optional<Instant> date(HttpHeaders headers) {
        return instant(headers, "Date");
    }

    /** {@code Expires} − {@code Date}: how long the server granted (a session's lease, a throttle's pause). */
    static Optional<Duration> untilExpires(HttpHeaders headers) {
        return date(headers).flatMap(date -> instant(headers, "Expires").map(expires -> Duration.between(date, expires)))
                .filter(duration -> !duration.isNegative());
    }

    /**
     * How long the server asked to wait: the longer of {@code Retry-After} (seconds, or an HTTP date
     * read against {@code Date}) and {@code Expires} − {@code Date}. Both are rounded to whole seconds
     * by the wire format; taking the longer never comes back too early.
     */
    static Optional<Duration> retryDelay(HttpHeaders headers) {
        Optional<Duration> retryAfter = headers.firstValue("Retry-After").flatMap(value -> retryAfter(value, headers));
        Optional<Duration> expires = untilExpires(headers);
        if (retryAfter.isEmpty()) return expires;
        if (expires.isEmpty()) return retryAfter;
        return Optional.of(retryAfter.get().compareTo(expires.get()) >= 0 ? retryAfter.get() : expires.get());
    }

    private static Optional<Duration> retryAfter(String value, HttpHeaders headers) {
        String trimmed = value.trim();
        if (trimmed.chars().allMatch(Character::isDigit) && !trimmed.isEmpty() && trimmed.length() < 10) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(trimmed)));
        }
        return parse(trimmed).flatMap(at -> date(headers).map(date -> Duration.between(date, at)))
                .filter(duration -> !duration.isNegative());
    }

    private static Optional<Instant> instant(HttpHeaders headers, String name) {
        return headers.firstValue(name).flatMap(ServerTimes::parse);
    }

    private static Optional<Instant> parse(String httpDate) {
        try {
            return Optional.of(ZonedDateTime.parse(httpDate.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
