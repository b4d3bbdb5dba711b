package io.cm.server.store;

import io.cm.core.store.SessionStore;

import java.util.concurrent.CompletionStage;

/** Where a node keeps its state, as chosen by {@code server.store}: sessions (with their request budgets), and whether it answers. */
public interface Storage extends AutoCloseable {

    SessionStore sessions();

    /** Completes, within about a second, with whether the store can serve requests now ({@code /health}). */
    CompletionStage<Boolean> ready();

    @Override
    void close();
}
