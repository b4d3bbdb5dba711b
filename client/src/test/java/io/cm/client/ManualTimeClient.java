package io.cm.client;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.URI;
import java.util.function.UnaryOperator;

/**
 * A {@link ConcurrencyClient} whose time a test moves: a {@link ManualScheduler} on a client clock that
 * starts years away from the server's (see {@link Fixtures#LOCAL_START}). Against a real server
 * the scheduler moves the server's clock too, so heartbeats and expiry happen on one timeline. Its
 * HTTP client is a {@link TrackedHttpClient}, which the scheduler waits on, and listeners run on the
 * thread that handles an answer, so that a test sees an ending as soon as time has moved. As a field
 * with {@code @RegisterExtension}, it is closed after each test.
 */
final class ManualTimeClient implements AutoCloseable, AfterEachCallback {

    final ManualClock clock;
    final ManualScheduler scheduler;
    final ConcurrencyClient client;
    private final TrackedHttpClient http;

    private ManualTimeClient(URI base, String app, ManualClock clock, ManualScheduler scheduler,
                             TrackedHttpClient http, UnaryOperator<ConcurrencyClient.Builder> settings) {
        this.clock = clock;
        this.scheduler = scheduler;
        this.http = http;
        this.client = settings.apply(ConcurrencyClient.builder(base, app).httpClient(http)
                .callbackExecutor(Runnable::run).clock(clock).scheduler(scheduler)).build();
    }

    private static ManualTimeClient on(URI base, String app, ManualClock clock, ManualScheduler scheduler,
                                       UnaryOperator<ConcurrencyClient.Builder> settings) {
        TrackedHttpClient http = new TrackedHttpClient();
        return new ManualTimeClient(base, app, clock, scheduler.settlingWith(http::awaitIdle), http, settings);
    }

    /** A client of {@code app} on the real {@code server}. */
    static ManualTimeClient of(RealServer server, String app) {
        ManualClock clock = Fixtures.localClock();
        return on(Fixtures.baseUrl(server), app, clock, new ManualScheduler(clock, server::advanceClock),
                UnaryOperator.identity());
    }

    /** Another client, of {@code app}, on the same server and the same timeline. */
    ManualTimeClient as(RealServer server, String app) {
        return new ManualTimeClient(Fixtures.baseUrl(server), app, clock, scheduler, http, UnaryOperator.identity());
    }

    /** A client of the (fake) service at {@code base}, as {@code demo-app}. */
    static ManualTimeClient of(URI base) {
        return of(base, UnaryOperator.identity());
    }

    /** The same, with the {@code settings} a test adds to its builder (callbacks run as an answer is handled). */
    static ManualTimeClient of(URI base, UnaryOperator<ConcurrencyClient.Builder> settings) {
        ManualClock clock = Fixtures.localClock();
        return on(base, "demo-app", clock, new ManualScheduler(clock), settings);
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
