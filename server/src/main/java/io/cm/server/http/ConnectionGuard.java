package io.cm.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Watches one connection of the public port between Netty's HTTP codec and Vert.x, for what Vert.x
 * does not bound or answers outside the spec's error shape:
 * <ul>
 *   <li>the time a request may take to arrive: {@code requestReadTimeout} from the connection's
 *       opening, {@code idleTimeout} from the end of the previous response (a request trickled in
 *       byte by byte would otherwise hold the connection for ever);</li>
 *   <li>a request line of another HTTP version than 1.x (505) and a body whose chunked encoding is
 *       broken (400): Vert.x answers the first without a body and closes on the second without an
 *       answer;</li>
 *   <li>a connection beyond the cap: 503 at once, then closed.</li>
 * </ul>
 * A connection is <em>waiting</em> until a request has fully arrived and again once every request
 * read has been answered; {@link ConnectionLimits} may close a waiting connection to make room.
 * Event-loop confined, except the two volatile fields and {@link #end}, which the limits read and
 * call from other threads.
 */
final class ConnectionGuard extends ChannelDuplexHandler {

    static final long SERVING = Long.MAX_VALUE;

    private final ConnectionLimits limits;
    private final AtomicBoolean ending = new AtomicBoolean();
    /** {@link System#nanoTime()} since which it waits for a request, or {@link #SERVING}. */
    private volatile long waitingSince;
    /** When the request waited for must have fully arrived. */
    private volatile long deadline;
    private ChannelHandlerContext context;
    private int requestsStarted;
    private int requestsRead;
    private int responsesStarted;
    private int responsesEnded;
    private boolean discarding;

    ConnectionGuard(ConnectionLimits limits) {
        this.limits = limits;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
        await(limits.requestReadTimeoutNanos());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (discarding) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            requestsStarted++;
            if (request.decoderResult().isSuccess() && request.protocolVersion().majorVersion() != 1) {
                ReferenceCountUtil.release(msg);
                refuse(505, "HTTP_VERSION_NOT_SUPPORTED", "This server speaks HTTP/1.1 (and 1.0), not "
                        + request.protocolVersion().text(), request.uri());
                return;
            }
        }
        // A request whose head failed to parse goes on to Vert.x's invalid-request handler (414, 431, 400).
        if (!(msg instanceof HttpRequest) && msg instanceof HttpContent content && content.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            if (responsesStarted < requestsStarted) {
                refuse(400, "INVALID_REQUEST", "Malformed request body (chunked transfer encoding)", "");
            } else {
                discarding = true;
                ctx.close();
            }
            return;
        }
        if (msg instanceof LastHttpContent) {
            requestsRead++;
            waitingSince = SERVING;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        // A 100 Continue is no answer: the request's own response follows.
        if (msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            ctx.write(msg, promise);
            return;
        }
        if (msg instanceof HttpResponse) responsesStarted++;
        if (msg instanceof LastHttpContent) {
            responsesEnded++;
            if (responsesEnded == requestsRead) await(limits.idleTimeoutNanos());
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        limits.closed(this);
        ctx.fireChannelInactive();
    }

    private void await(long timeoutNanos) {
        long now = System.nanoTime();
        deadline = now + timeoutNanos;
        waitingSince = now;
    }

    long waitingSince() {
        return waitingSince;
    }

    boolean overdue(long now) {
        return waitingSince != SERVING && now - deadline > 0;
    }

    /** Closes the connection once, from any thread; false if it was already being closed. */
    boolean end() {
        if (!ending.compareAndSet(false, true)) return false;
        context.channel().close();
        return true;
    }

    boolean ending() {
        return ending.get();
    }

    /** Answers a connection over the cap before it sends anything, then closes it. */
    void refuseOverCap(int maxConnections) {
        ending.set(true);
        refuse(503, "TOO_MANY_CONNECTIONS", "The server has " + maxConnections + " open connections, its limit; "
                + "retry later", "");
    }

    /** Writes an error in the shape for {@code path} and closes; nothing more is read from the connection. */
    private void refuse(int status, String code, String message, String path) {
        discarding = true;
        byte[] body = ErrorShapes.body(path, code, message).toString().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(body));
        Map.of(HttpHeaderNames.CONTENT_TYPE, ErrorShapes.contentType(path),
                HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length),
                HttpHeaderNames.CACHE_CONTROL, "no-store",
                HttpHeaderNames.CONNECTION, "close",
                HttpHeaderNames.DATE, HttpDates.format(limits.clock().millis()))
                .forEach(response.headers()::set);
        if (status == 503) response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        context.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
