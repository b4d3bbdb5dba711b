package io.cm.server.http;

import io.vertx.ext.web.RoutingContext;
import org.slf4j.MDC;

import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The id of a request: the caller's {@code X-Request-Id} when it is a sensible token (so a proxy's
 * or an app's id follows the request into our logs), else a generated one; echoed in the response.
 *
 * <p>Log lines carry it through the SLF4J MDC ({@code requestId}). Handlers run on event loops
 * shared by many requests and resume in callbacks, so the MDC is set only around code that runs
 * for this request: the synchronous part of the route handlers ({@link #assign}) and, for work that
 * resumes later (an answer after a store call, the access log), explicitly with {@link #logging}.
 */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";
    static final String MDC_KEY = "requestId";
    private static final String KEY = "cm.requestId";
    private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._:/+=@-]{1,128}");

    private RequestIds() {
    }

    /** The first route handler: takes or makes the id, echoes it, and keeps it in the MDC while the routes run. */
    public static void assign(RoutingContext ctx) {
        String offered = ctx.request().getHeader(HEADER);
        String id = offered != null && ACCEPTED.matcher(offered).matches() ? offered : generate();
        ctx.put(KEY, id);
        ctx.response().putHeader(HEADER, id);
        MDC.put(MDC_KEY, id);
        try {
            ctx.next();
        } finally {
            MDC.remove(MDC_KEY);
        }
    }

    /** The id of {@code ctx}'s request, or {@code -} before {@link #assign} ran (requests the router refused at once). */
    public static String of(RoutingContext ctx) {
        String id = ctx.get(KEY);
        return id == null ? "-" : id;
    }

    /** Runs {@code log} with the request's id in the MDC, for lines logged after the handler returned. */
    public static void logging(RoutingContext ctx, Runnable log) {
        String outer = MDC.get(MDC_KEY);
        MDC.put(MDC_KEY, of(ctx));
        try {
            log.run();
        } finally {
            if (outer == null) MDC.remove(MDC_KEY); else MDC.put(MDC_KEY, outer);
        }
    }

    /** 96 random bits: unique enough to find one request's lines, cheap enough for every request. */
    private static String generate() {
        byte[] bytes = new byte[12];
        ThreadLocalRandom.current().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
