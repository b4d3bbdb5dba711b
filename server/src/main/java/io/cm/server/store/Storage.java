package io.cm.server.store;

import io.cm.core.store.SessionStore;
import io.cm.server.throttle.ThrottleBudgets;

import java.util.concurrent.CompletionStage;

/** Where a node keeps its state, as chosen by {@code server.store}: sessions, request budgets, and whether it answers. */
public interface Storage extends AutoCloseable {

    SessionStore sessions();

    ThrottleBudgets budgets();

    /** Completes, within about a second, with whether the store can serve requests now ({@code /health}). */
    CompletionStage<Boolean> ready();

    @Override
    void close();
}
