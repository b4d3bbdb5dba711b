package io.cm.core.policy;

/** What a policy does with a start that would break one of its rules. */
public enum ConflictMode {
    /** Block-new: the start is denied, existing sessions are untouched. */
    LIFO,
    /** Latest-wins: the start is permitted and the oldest offending sessions are dismissed. */
    FIFO
}
