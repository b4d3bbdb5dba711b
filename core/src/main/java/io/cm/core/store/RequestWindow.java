package io.cm.core.store;

/**
 * The state of one request budget: when its current window started and how many requests it took.
 * Every store keeps these beside the subject's sessions and applies the same rule (the Redis store
 * in Lua), so that "N per window, refilled whole after the window" holds on all of them.
 */
public record RequestWindow(long start, int taken) {

    /** The budget's first request: its first window starts now. */
    public static RequestWindow first(long now) {
        return new RequestWindow(now, 1);
    }

    /** Whether one more request at {@code now} fits; if not, it is accepted from {@link #end}. */
    public boolean hasRoom(long now, RequestLimit limit) {
        return current(now, limit).taken < limit.perWindow();
    }

    /** The window after one more request at {@code now}; only when {@link #hasRoom}. */
    public RequestWindow take(long now, RequestLimit limit) {
        RequestWindow current = current(now, limit);
        if (current.taken >= limit.perWindow()) throw new IllegalStateException("the budget is spent");
        return new RequestWindow(current.start, current.taken + 1);
    }

    public long end(RequestLimit limit) {
        return start + limit.windowMillis();
    }

    /** A window that has passed restarts at the last boundary before {@code now}, so windows keep their phase. */
    private RequestWindow current(long now, RequestLimit limit) {
        if (now < end(limit)) return this;
        long elapsed = (now - start) / limit.windowMillis();
        return new RequestWindow(start + elapsed * limit.windowMillis(), 0);
    }
}
