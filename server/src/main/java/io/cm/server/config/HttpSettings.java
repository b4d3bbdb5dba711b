package io.cm.server.config;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * How the HTTP listeners run and what they tolerate from a client (YAML: {@code server.host},
 * {@code server.management-port}, {@code server.management-host} and the {@code http} section).
 *
 * @param host               address the public port binds to
 * @param managementPort     when present, {@code /metrics} and the health checks are served on this port
 *                           (and {@code /metrics} no longer on the public one)
 * @param managementHost     address the management port binds to
 * @param maxConnections     open connections of the public port; beyond them the one waiting longest for
 *                           its request is closed, or the newcomer is refused when every one is busy
 * @param requestReadTimeout time from a connection's opening until its first request (headers and body)
 *                           has arrived
 * @param idleTimeout        a connection without traffic this long is closed, and so is one whose next
 *                           request has not fully arrived this long after the previous answer
 * @param failedAuthLimit    failed authentications per client address and window; beyond them 429
 * @param failedAuthWindow   the window of {@code failedAuthLimit}
 */
public record HttpSettings(String host, OptionalInt managementPort, String managementHost, int maxConnections,
                           Duration requestReadTimeout, Duration idleTimeout, int failedAuthLimit,
                           Duration failedAuthWindow) {

    public static final HttpSettings DEFAULTS = new HttpSettings("0.0.0.0", OptionalInt.empty(), "0.0.0.0", 10_000,
            Duration.ofSeconds(10), Duration.ofSeconds(60), 30, Duration.ofMinutes(1));

    public HttpSettings {
        if (host.isBlank()) throw new IllegalArgumentException("server.host must not be empty");
        if (managementPort.isPresent() && (managementPort.getAsInt() < 0 || managementPort.getAsInt() > 65535)) {
            throw new IllegalArgumentException("server.management-port " + managementPort.getAsInt() + " is not a TCP port");
        }
        if (maxConnections < 1) throw new IllegalArgumentException("http.max-connections must be at least 1");
        if (requestReadTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("http.request-read-timeout must be at least 100ms");
        }
        if (failedAuthLimit < 1) throw new IllegalArgumentException("http.failed-auth-limit must be at least 1");
        if (!failedAuthWindow.isPositive()) throw new IllegalArgumentException("http.failed-auth-window must be positive");
    }
}
