package io.cm.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * HTTPS on the public port (YAML section {@code tls}; env {@code CM_TLS_<KEY>}).
 *
 * @param cert        PEM certificate chain, the server's certificate first
 * @param key         PEM private key (PKCS#8 or PKCS#1)
 * @param plainPort   when present, plain HTTP is served on this port too, with the same routes
 * @param reloadCheck how often the two files are checked for a change; a change is served to new
 *                    connections without a restart
 */
public record TlsSettings(Path cert, Path key, OptionalInt plainPort, Duration reloadCheck) {

    public static final Duration DEFAULT_RELOAD_CHECK = Duration.ofSeconds(10);

    public TlsSettings {
        if (plainPort.isPresent() && (plainPort.getAsInt() < 0 || plainPort.getAsInt() > 65535)) {
            throw new IllegalArgumentException("tls.plain-port " + plainPort.getAsInt() + " is not a TCP port");
        }
        if (reloadCheck.toMillis() < 100) throw new IllegalArgumentException("tls.reload-check must be at least 100ms");
    }
}
