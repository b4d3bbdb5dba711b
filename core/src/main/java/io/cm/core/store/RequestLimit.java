package io.cm.core.store;

/**
 * How many requests one budget allows per window (SPEC §2, 429): a budget refills whole at the end
 * of its window, windows counted from the budget's first request.
 */
public record RequestLimit(int perWindow, long windowMillis) {

    public RequestLimit {
        if (perWindow < 1) throw new IllegalArgumentException("a request limit allows at least 1 request per window");
        if (windowMillis < 1) throw new IllegalArgumentException("a request window lasts at least 1 ms");
    }
}
