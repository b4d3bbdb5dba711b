package io.cm.client;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.URI;

/**
 * A {@link ConcurrencyClient} whose time a test moves: a {@link ManualScheduler} on a client clock that
 * starts years away from the server's (see {@link Fixtures#LOCAL_START}). Against a real server
 * the scheduler moves the server's clock too, so heartbeats and expiry happen on one timeline. As a
 * field with {@code @RegisterExtension}, it is closed after each test.
 */
final class ManualTimeClient implements AutoCloseable, AfterEachCallback {

    final ManualClock clock;
    final ManualScheduler scheduler;
    final ConcurrencyClient client;

    private ManualTimeClient(URI base, String app, ManualClock clock, ManualScheduler scheduler) {
        this.clock = clock;
        this.scheduler = scheduler;
        this.client = ConcurrencyClient.builder(base, app).clock(clock).scheduler(scheduler).build();
    }

    /** A client of {@code app} on the real {@code server}. */
    static ManualTimeClient of(RealServer server, String app) {
        ManualClock clock = Fixtures.localClock();
        return new ManualTimeClient(Fixtures.baseUrl(server), app, clock, new ManualScheduler(clock, server::advanceClock));
    }

    /** Another client, of {@code app}, on the same server and the same timeline. */
    ManualTimeClient as(RealServer server, String app) {
        return new ManualTimeClient(Fixtures.baseUrl(server), app, clock, scheduler);
    }

    /** A client of the (fake) service at {@code base}, as {@code demo-app}. */
    static ManualTimeClient of(URI base) {
        ManualClock clock = Fixtures.localClock();
        return new ManualTimeClient(base, "demo-app", clock, new ManualScheduler(clock));
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }
}
