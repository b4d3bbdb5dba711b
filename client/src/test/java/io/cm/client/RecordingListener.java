package io.cm.client;

import java.util.ArrayList;
import java.util.List;

/** Records how a session ended, every call, so that a test sees both what and how often. */
final class RecordingListener implements SessionListener {

    /** What {@link SessionListener#expired()} records. */
    static final String EXPIRED = "expired";

    private final List<Object> endings = new ArrayList<>();

    @Override
    public synchronized void dismissed(ConcurrencyConflict conflict) {
        endings.add(conflict);
    }

    @Override
    public synchronized void terminatedRemotely(Terminator terminator) {
        endings.add(terminator);
    }

    @Override
    public synchronized void expired() {
        endings.add(EXPIRED);
    }

    @Override
    public synchronized void failed(ConcurrencyException error) {
        endings.add(error);
    }

    synchronized List<Object> endings() {
        return List.copyOf(endings);
    }

    /** The one ending, which must be of {@code type}. */
    synchronized <T> T only(Class<T> type) {
        if (endings.size() != 1 || !type.isInstance(endings.get(0))) {
            throw new AssertionError("expected exactly one " + type.getSimpleName() + " ending, got " + endings);
        }
        return type.cast(endings.get(0));
    }
}
