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

/**
 * One logical request to the session API and its retries. {@link #attempt()} sends once and says what
 * to do next, so a heartbeat can schedule its retries instead of blocking a thread; {@link #await}
 * loops for calls a caller waits on. Retried: 429 and 503 after the wait the service asked for
 * ({@code Retry-After}/{@code Expires}), connection failures with back-off, and, for requests that are
 * safe to repeat, any lost answer or 5xx. A start is not repeated once it may have reached the service:
 * a second start would make a second session, counted against the user's own limit.
 */
final class Call {

    /** What follows an attempt. */
    sealed interface Step permits Answered, Wait, GaveUp {
    }

    /** The service answered with a status the caller interprets. */
    record Answered(HttpResponse<String> response) implements Step {
    }

    /** Attempt again after {@code delay}. */
    record Wait(Duration delay) implements Step {
    }

    /** No more attempts: {@code error} is the outcome. */
    record GaveUp(ConcurrencyException error) implements Step {
    }

    private static final double SERVER_DELAY_JITTER = 0.1;

    private final HttpClient http;
    private final HttpRequest request;
    private final boolean repeatable;
    private final RetryPolicy policy;
    private int attempts;

    Call(HttpClient http, HttpRequest request, boolean repeatable, RetryPolicy policy) {
        this.http = http;
        this.request = request;
        this.repeatable = repeatable;
        this.policy = policy;
    }

    /** Sends the request once. Never throws: every failure is a {@link Step}. */
    Step attempt() {
        attempts++;
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException notSent) {
            return retry(policy.backoff(attempts), unanswered("no connection", notSent));
        } catch (IOException lost) {
            if (!repeatable) {
                return new GaveUp(unanswered("no answer, and not sent again because the service may have acted on it",
                        lost));
            }
            return retry(policy.backoff(attempts), unanswered("no answer", lost));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new GaveUp(unanswered("interrupted", e));
        }
        int status = response.statusCode();
        if (status == 429 || status == 503) {
            Duration delay = ServerTimes.retryDelay(response.headers())
                    .map(asked -> Jitter.atLeast(asked, SERVER_DELAY_JITTER))
                    .orElseGet(() -> policy.backoff(attempts));
            return retry(delay, ResponseBodies.error(response));
        }
        if (repeatable && status >= 500) return retry(policy.backoff(attempts), ResponseBodies.error(response));
        return new Answered(response);
    }

    /** Attempts until the service answers or the retries are used up. */
    HttpResponse<String> await(Scheduler scheduler) throws ConcurrencyException {
        while (true) {
            Step step = attempt();
            if (step instanceof Answered answered) return answered.response();
            if (step instanceof GaveUp gaveUp) throw gaveUp.error();
            try {
                Waits.sleep(scheduler, ((Wait) step).delay());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw unanswered("interrupted while waiting to retry", e);
            }
        }
    }

    private Step retry(Duration delay, ConcurrencyException ifLast) {
        return attempts >= policy.maxAttempts() ? new GaveUp(ifLast) : new Wait(delay);
    }

    private ConcurrencyException unanswered(String what, Exception cause) {
        return new ConcurrencyException(request.method() + " " + request.uri().getPath() + ": " + what
                + " after " + attempts + " attempt(s): " + cause, OptionalInt.empty(), Optional.empty(), cause);
    }
}
