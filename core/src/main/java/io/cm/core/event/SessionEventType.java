package io.cm.core.event;

/** The session transitions the live stream carries, with their wire names. */
public enum SessionEventType {
    STARTED("session.started"),
    HEARTBEAT("session.heartbeat"),
    DENIED("session.denied"),
    STOPPED("session.stopped"),
    EXPIRED("session.expired"),
    KILLED("session.killed"),
    DISMISSED("session.dismissed");

    private final String wireName;

    SessionEventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
