package io.cm.core.store;

/** What a store operation that first takes a request from a budget comes to. */
public sealed interface Metered<R> {

    /** The budget had room: the operation ran and gave {@code value}. */
    record Done<R>(R value) implements Metered<R> {
    }

    /**
     * The budget is spent: nothing was committed (a shared store may have run the decision already, to
     * send its commit with the budget check in one round trip; decisions have no side effects); the
     * next request is accepted from {@code acceptedFrom} (epoch ms).
     */
    record Throttled<R>(long acceptedFrom) implements Metered<R> {
    }
}
