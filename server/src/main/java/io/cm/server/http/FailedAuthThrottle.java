package io.cm.server.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cm.server.config.HttpSettings;
import io.vertx.core.Handler;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down guessing of application ids, secrets and stream tokens: a client address that failed
 * authentication (a 401) {@code failedAuthLimit} times within {@code failedAuthWindow} gets 429
 * {@code THROTTLED} on every authenticated route until that window ends, whatever credentials it
 * sends, so a right guess cannot be told from a wrong one meanwhile. The address is the TCP peer;
 * behind a proxy every client shares the proxy's budget, so raise the limit there.
 *
 * <p>Windows are fixed, starting at an address's first failure; at most 100,000 addresses are
 * remembered (the least recent are forgotten first), so memory stays bounded under a spray of
 * source addresses.
 */
final class FailedAuthThrottle implements Handler<RoutingContext> {

    private static final int MAX_ADDRESSES = 100_000;

    private final int limit;
    private final Duration window;
    private final Clock clock;
    private final Cache<String, Failures> failures;

    private record Failures(long windowStart, int count) {
    }

    FailedAuthThrottle(HttpSettings settings, Clock clock) {
        this.limit = settings.failedAuthLimit();
        this.window = settings.failedAuthWindow();
        this.clock = clock;
        this.failures = Caffeine.newBuilder().maximumSize(MAX_ADDRESSES).expireAfterWrite(window).build();
    }

    @Override
    public void handle(RoutingContext ctx) {
        // Nearly always nobody has failed lately: no address to format or look up on the hot path then.
        Failures current = failures.estimatedSize() == 0 ? null : failures.getIfPresent(address(ctx));
        if (current != null && current.count() >= limit && clock.millis() < current.windowStart() + window.toMillis()) {
            refuse(ctx, current.windowStart() + window.toMillis());
            return;
        }
        ctx.addHeadersEndHandler(v -> {
            if (ctx.response().getStatusCode() == 401) failed(address(ctx));
        });
        ctx.next();
    }

    private void failed(String address) {
        long now = clock.millis();
        failures.asMap().compute(address, (key, previous) ->
                previous == null || now >= previous.windowStart() + window.toMillis()
                        ? new Failures(now, 1) : new Failures(previous.windowStart(), previous.count() + 1));
    }

    private void refuse(RoutingContext ctx, long acceptedFrom) {
        long seconds = Math.max(1, (acceptedFrom - clock.millis() + 999) / 1000);
        String message = "Too many failed authentications from this address; retry after " + seconds + " s";
        Map<String, String> headers = Map.of("Retry-After", Long.toString(seconds), "Expires", HttpDates.format(acceptedFrom));
        String path = ctx.request().path();
        if (!ErrorShapes.hasOAuthShape(path)) {
            ctx.fail(new ApiError(429, "THROTTLED", message, Optional.empty(), headers));
            return;
        }
        headers.forEach(ctx.response()::putHeader);
        ctx.response().setStatusCode(429).putHeader("Content-Type", ErrorShapes.contentType(path))
                .end(ErrorShapes.body(path, "TOO_MANY_REQUESTS", message).toString());
    }

    private static String address(RoutingContext ctx) {
        SocketAddress remote = ctx.request().remoteAddress();
        return remote == null || remote.hostAddress() == null ? "unknown" : remote.hostAddress();
    }
}
