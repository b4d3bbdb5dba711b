package io.cm.core.event;

/**
 * Port to where session events go. {@link #append} is called after a decision is committed, on
 * the deciding thread: implementations must not block it.
 */
public interface EventLog {

    void append(SessionEvent event);
}
