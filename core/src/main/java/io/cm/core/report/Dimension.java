package io.cm.core.report;

import java.util.Locale;

/**
 * What report rows may be grouped by. {@code PLATFORM} is the session's {@code platform} metadata
 * key when it has one (as the start carried it), else none.
 */
public enum Dimension {
    TENANT, APPLICATION, PLATFORM;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
