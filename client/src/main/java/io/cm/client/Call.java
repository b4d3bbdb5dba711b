package io.cm.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * One logical request to the session API and its retries, without a thread waiting: each attempt is
 * sent asynchronously and each wait is a {@link Scheduler} task. Retried, as the {@link RetryPolicy}
 * says: 429 and 503 after the wait the service asked for ({@code Retry-After}/{@code Expires}),
 * connection failures with back-off, and, for requests that are safe to repeat, any lost answer or
 * 5xx. A start is not repeated once it may have reached the service: a second start would make a
 * second session, counted against the user's own limit.
 *
 * <p>{@link #abandon()} stops the retries. An attempt already sent still completes the call with its
 * answer, so that what the service did (a session it started) is not lost on the way.
 */
final class Call {

    /** Reads an answer of the service; a {@link ConcurrencyException} fails the call with it. */
    @FunctionalInterface
    interface Reader<T> {
        T read(HttpResponse<String> response) throws ConcurrencyException;
    }

    private static final double SERVER_DELAY_JITTER = 0.1;

    private final HttpClient http;
    private final HttpRequest request;
    private final boolean repeatable;
    private final RetryPolicy policy;
    private final Scheduler scheduler;
    private final CompletableFuture<HttpResponse<String>> answer = new CompletableFuture<>();
    // Guarded by this: the state between attempts.
    private int attempts;
    private boolean inFlight;
    private boolean abandoned;
    private Future<?> nextAttempt;

    Call(HttpClient http, HttpRequest request, boolean repeatable, RetryPolicy policy, Scheduler scheduler) {
        this.http = http;
        this.request = request;
        this.repeatable = repeatable;
        this.policy = policy;
        this.scheduler = scheduler;
    }

    /**
     * Sends the request, retrying as the policy says. Completes with the answer the caller interprets,
     * fails with a {@link ConcurrencyException} once no attempt is left, or is cancelled when abandoned.
     */
    CompletableFuture<HttpResponse<String>> send() {
        attempt();
        return answer;
    }

    /** {@link #send()}, then {@code reader} on the answer. Cancelling the result abandons the call. */
    <T> CompletableFuture<T> send(Reader<T> reader) {
        CompletableFuture<T> result = send().thenCompose(response -> {
            try {
                return CompletableFuture.completedFuture(reader.read(response));
            } catch (ConcurrencyException e) {
                return CompletableFuture.failedFuture(e);
            }
        });
        result.whenComplete((value, error) -> {
            if (error instanceof CancellationException) abandon();
        });
        return result;
    }

    /** No more attempts: a wait for the next one ends the call (cancelled); one in flight still answers. */
    void abandon() {
        synchronized (this) {
            abandoned = true;
            if (inFlight) return;
            if (nextAttempt != null) nextAttempt.cancel(false);
        }
        answer.cancel(false);
    }

    private void attempt() {
        CompletableFuture<HttpResponse<String>> sent;
        synchronized (this) {
            if (abandoned || answer.isDone()) return;
            attempts++;
            inFlight = true;
            try {
                sent = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
            } catch (RuntimeException refused) { // e.g. an HttpClient already closed
                sent = CompletableFuture.failedFuture(refused);
            }
        }
        sent.whenComplete(this::attempted);
    }

    private void attempted(HttpResponse<String> response, Throwable failure) {
        synchronized (this) {
            inFlight = false;
        }
        if (failure != null) {
            failed(failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure);
            return;
        }
        int status = response.statusCode();
        if (status == 429 || status == 503) {
            Duration delay = ServerTimes.retryDelay(response.headers())
                    .map(asked -> Jitter.atLeast(asked, SERVER_DELAY_JITTER))
                    .orElseGet(() -> policy.backoff(attempts));
            retry(delay, ResponseBodies.error(response));
        } else if (repeatable && status >= 500) {
            retry(policy.backoff(attempts), ResponseBodies.error(response));
        } else {
            answer.complete(response);
        }
    }

    private void failed(Throwable cause) {
        if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException) {
            retry(policy.backoff(attempts), unanswered("no connection", cause));
        } else if (cause instanceof IOException && repeatable) {
            retry(policy.backoff(attempts), unanswered("no answer", cause));
        } else if (cause instanceof IOException) {
            answer.completeExceptionally(unanswered(
                    "no answer, and not sent again because the service may have acted on it", cause));
        } else {
            answer.completeExceptionally(unanswered("failed", cause));
        }
    }

    /** The next attempt after {@code delay}; when none is left, the call fails with {@code ifLast}. */
    private void retry(Duration delay, ConcurrencyException ifLast) {
        ConcurrencyException outcome;
        synchronized (this) {
            if (abandoned) {
                outcome = null;
            } else if (attempts >= policy.maxAttempts()) {
                outcome = ifLast;
            } else {
                try {
                    nextAttempt = scheduler.schedule(delay, this::attempt);
                    return;
                } catch (RejectedExecutionException closed) {
                    outcome = unanswered("the client was closed", closed);
                }
            }
        }
        if (outcome == null) answer.cancel(false);
        else answer.completeExceptionally(outcome);
    }

    private ConcurrencyException unanswered(String what, Throwable cause) {
        return new ConcurrencyException(request.method() + " " + request.uri().getPath() + ": " + what
                + " after " + attempts + " attempt(s): " + cause, OptionalInt.empty(), Optional.empty(), cause);
    }
}
