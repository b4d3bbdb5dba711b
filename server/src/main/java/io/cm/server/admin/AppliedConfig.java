package io.cm.server.admin;

import io.cm.core.policy.Catalog;
import io.cm.core.service.DecisionSettings;
import io.cm.core.service.RequestLimits;
import io.cm.server.config.ManagedSettings;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The tenants, applications, policies and live streams this node runs under now. {@link #apply}
 * swaps them whole: the next decision reads the new {@link DecisionSettings} (the service reads them
 * once per operation, so no decision mixes two versions), the next request authenticates against
 * the new catalog, and the live streams are added, removed or changed. Reads never lock.
 */
public final class AppliedConfig {

    private final RequestLimits limits;
    private final Consumer<ManagedSettings> onApply;
    private volatile ManagedSettings current;
    private volatile DecisionSettings decisions;

    /** @param onApply told of every applied change after the swap, e.g. to reconfigure the live streams */
    public AppliedConfig(ManagedSettings initial, RequestLimits limits, Consumer<ManagedSettings> onApply) {
        this.limits = limits;
        this.onApply = onApply;
        this.current = initial;
        this.decisions = new DecisionSettings(initial.catalog(), limits);
    }

    public ManagedSettings current() {
        return current;
    }

    public Supplier<DecisionSettings> decisions() {
        return () -> decisions;
    }

    public Supplier<Catalog> catalog() {
        return () -> current.catalog();
    }

    /** Runs under {@code next} from now on; changes are applied one at a time, in the order given. */
    public synchronized void apply(ManagedSettings next) {
        decisions = new DecisionSettings(next.catalog(), limits);
        current = next;
        onApply.accept(next);
    }
}
