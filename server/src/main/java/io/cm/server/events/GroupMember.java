package io.cm.server.events;

import java.io.ByteArrayOutputStream;

/**
 * One live connection's place in its stream's group: it takes the records of the partitions the
 * group gives it, in order per partition, and says when the writes carrying them completed.
 */
public interface GroupMember {

    /**
     * On the connection's event loop, never blocking: appends the next records of this member (each
     * a JSON event and CRLF) to {@code out}, about {@code maxBytes} at most.
     */
    Taken take(ByteArrayOutputStream out, int maxBytes);

    /**
     * The connection ended. {@code clean}: its peer can be trusted to have read what was written
     * (it closed normally, or the server ended it); else (failed write, reset, replaced) the next
     * member repeats what may have been in socket buffers. Releases the slot at once; idempotent;
     * callable from any thread.
     */
    void leave(boolean clean);

    /** What the group tells a connection; called from any thread, must not block. */
    interface Listener {
        /** New records may be ready: call {@link #take} soon on the connection's event loop. */
        void wake();

        /** The group ended this membership (replaced by a connection with the same clientId): end the connection. */
        void evicted(String why);
    }

    /**
     * What one {@link #take} did: {@code records} appended, {@code scanned} bytes of records walked
     * (records the stream does not carry included, so that a quiet stream still yields the event
     * loop), {@code delivered} to run once a write carrying them has completed, and whether the
     * connection must end after writing them ({@code last}: the records it was to send were removed
     * by retention first).
     */
    record Taken(int records, long scanned, Runnable delivered, boolean last) {
        public static final Taken NOTHING = new Taken(0, 0, () -> { }, false);

        public boolean isNothing() {
            return scanned == 0 && !last;
        }
    }
}
