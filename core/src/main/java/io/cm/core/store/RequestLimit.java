package io.cm.core.store;

/**
 * How many requests one budget allows per window (SPEC §2, 429): a budget refills whole at the end
 * of its window, windows counted from the budget's first request.
 */
public record RequestLimit(int perWindow, long windowMillis) {

    /** The most a budget counts in one window (what a {@link RequestWindow#packed() packed} window holds). */
    public static final int MAX_PER_WINDOW = 2_000_000;

    public RequestLimit {
        if (perWindow < 1 || perWindow > MAX_PER_WINDOW) {
            throw new IllegalArgumentException("a request limit allows 1.." + MAX_PER_WINDOW + " requests per window");
        }
        if (windowMillis < 1) throw new IllegalArgumentException("a request window lasts at least 1 ms");
    }
}
