package io.cm.client;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;

/**
 * The HTTP settings both clients' builders take, checked as they are set: a connect timeout (for an
 * HTTP client of the client's own), a request timeout, or an HTTP client of the caller's. A client
 * must see every redirect itself, so a given HTTP client must not follow them.
 */
final class HttpSettings {

    private Duration connectTimeout;
    private boolean connectTimeoutSet;
    private Duration requestTimeout;
    private HttpClient given;

    HttpSettings(Duration connectTimeout, Duration requestTimeout) {
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
    }

    void connectTimeout(Duration timeout) {
        if (given != null) throw new IllegalStateException("the connect timeout is set on the HttpClient given");
        connectTimeout = Durations.positive(timeout, "connectTimeout");
        connectTimeoutSet = true;
    }

    void requestTimeout(Duration timeout) {
        requestTimeout = Durations.positive(timeout, "requestTimeout");
    }

    void httpClient(HttpClient http) {
        Objects.requireNonNull(http, "http");
        if (http.followRedirects() != HttpClient.Redirect.NEVER) {
            throw new IllegalArgumentException("the HttpClient must not follow redirects (Redirect.NEVER)");
        }
        if (connectTimeoutSet) throw new IllegalStateException("the connect timeout is set on the HttpClient given");
        given = http;
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    /** Whether {@link #client()} makes a client of its own, which its owner must {@link HttpClients#release}. */
    boolean ownsClient() {
        return given == null;
    }

    /** The HTTP client given, or a new one. */
    HttpClient client() {
        return given != null ? given : HttpClients.create(connectTimeout);
    }
}
