package io.cm.server.config;

/** A configuration the server cannot start with; the message names the source, the key or line, and the fault. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
