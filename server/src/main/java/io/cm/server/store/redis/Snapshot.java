package io.cm.server.store.redis;

import io.cm.core.session.SubjectSessions;

/**
 * What a node knows of one subject's hash in Redis: the version it read or wrote, the state, and
 * the deadline that was scheduled in the due index with it. The sessions' times may be behind
 * Redis's (heartbeats on other nodes move them without a new version), never ahead.
 *
 * @param version a random token written with each commit ({@link #ABSENT_VERSION} when there is no
 *                hash); random rather than a counter, so a subject deleted and created again never
 *                shows an old version to a node that cached it
 */
record Snapshot(String version, SubjectSessions state, long scheduled) {

    static final String ABSENT_VERSION = "";
    static final long NOT_SCHEDULED = Long.MAX_VALUE;
    static final Snapshot ABSENT = new Snapshot(ABSENT_VERSION, SubjectSessions.EMPTY, NOT_SCHEDULED);

    Snapshot withState(SubjectSessions next) {
        return new Snapshot(version, next, scheduled);
    }
}
