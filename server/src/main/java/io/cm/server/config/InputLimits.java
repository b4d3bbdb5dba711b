package io.cm.server.config;

/** Bounds on what a request may carry; beyond them the answer is 400. */
public record InputLimits(int maxMetadataKeys, int maxKeyLength, int maxValueLength, int maxIdLength) {

    public static final InputLimits DEFAULTS = new InputLimits(64, 64, 1024, 256);

    public InputLimits {
        if (maxMetadataKeys < 1 || maxKeyLength < 1 || maxValueLength < 1 || maxIdLength < 1) {
            throw new IllegalArgumentException("input limits must be positive");
        }
    }
}
