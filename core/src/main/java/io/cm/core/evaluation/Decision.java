package io.cm.core.evaluation;

public enum Decision {
    PERMIT, DENY
}
