package io.cm.core.session;

/** Why a session is no longer active. */
public enum EndReason {
    STOPPED, EXPIRED, KILLED, DISMISSED
}
