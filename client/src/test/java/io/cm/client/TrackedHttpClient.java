package io.cm.client;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * An {@link HttpClient} given to the client under test that knows when no asynchronous exchange is left
 * in flight, including what the client does with each answer. A {@link ManualScheduler} waits for that
 * after each task it runs, so that a heartbeat's answer (which schedules the next one) is in before time
 * moves on. Everything else is the real JDK client's.
 */
final class TrackedHttpClient extends HttpClient {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().version(Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private int inFlight;

    /** Returns once every exchange sent so far has been answered and its answer handled. */
    synchronized void awaitIdle() {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (inFlight > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new AssertionError(inFlight + " exchange(s) still unanswered");
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        synchronized (this) {
            inFlight++;
        }
        CompletableFuture<HttpResponse<T>> tracked = new CompletableFuture<>();
        http.sendAsync(request, handler).whenComplete((response, error) -> {
            try {
                // The client's own continuations run inside complete(): once it returns, they have run.
                if (error != null) tracked.completeExceptionally(error);
                else tracked.complete(response);
            } finally {
                synchronized (this) {
                    inFlight--;
                    notifyAll();
                }
            }
        });
        return tracked;
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                            HttpResponse.PushPromiseHandler<T> pushes) {
        throw new UnsupportedOperationException("the client does not use server push");
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        return http.send(request, handler);
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return http.cookieHandler();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return http.connectTimeout();
    }

    @Override
    public Redirect followRedirects() {
        return http.followRedirects();
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return http.proxy();
    }

    @Override
    public SSLContext sslContext() {
        return http.sslContext();
    }

    @Override
    public SSLParameters sslParameters() {
        return http.sslParameters();
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return http.authenticator();
    }

    @Override
    public Version version() {
        return http.version();
    }

    @Override
    public Optional<Executor> executor() {
        return http.executor();
    }
}
