package io.cm.core.store;

/**
 * The state of one request budget: when its current window started and how many requests it took.
 * Every store keeps these beside the subject's sessions and applies the same rule (the Redis store
 * in Lua), so that "N per window, refilled whole after the window" holds on all of them.
 */
public record RequestWindow(long start, int taken) {

    private static final int TAKEN_BITS = 21;
    private static final long TAKEN_MASK = (1L << TAKEN_BITS) - 1;

    public RequestWindow {
        if (start < 0 || start >>> (Long.SIZE - TAKEN_BITS) != 0) throw new IllegalArgumentException("start " + start);
        if (taken < 0 || taken > RequestLimit.MAX_PER_WINDOW) throw new IllegalArgumentException("taken " + taken);
    }

    /**
     * This window in one long, for a store that keeps one per session: the start in the high 43 bits
     * (epoch ms, enough until the year 2248), the requests taken in the low 21.
     */
    public long packed() {
        return start << TAKEN_BITS | taken;
    }

    public static RequestWindow unpacked(long packed) {
        return new RequestWindow(packed >>> TAKEN_BITS, (int) (packed & TAKEN_MASK));
    }

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
