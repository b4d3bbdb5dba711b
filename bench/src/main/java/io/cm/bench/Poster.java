package io.cm.bench;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Sends body-less POSTs to one local port as the demo application, as apps do for init and heartbeat. */
final class Poster {

    /** Status and {@code Location} header, read after the whole body has arrived. */
    record Reply(int status, String location) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private static final String AUTHORIZATION =
            "Basic " + Base64.getEncoder().encodeToString("demo-app:".getBytes(StandardCharsets.US_ASCII));

    private static final long IDLE_TIMEOUT_MILLIS = 10_000;

    private final HttpClientAgent client;
    private final int port;

    Poster(HttpClientAgent client, int port) {
        this.client = client;
        this.port = port;
    }

    Future<Reply> post(String uri) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost("127.0.0.1")
                .setPort(port)
                .setURI(uri)
                .putHeader(HttpHeaders.AUTHORIZATION, AUTHORIZATION)
                // A reply that never comes fails the request (counted as an error) instead of stalling its loop.
                .setIdleTimeout(IDLE_TIMEOUT_MILLIS);
        // The body is consumed so that the connection is free for the next request of the loop.
        return client.request(options)
                .compose(request -> request.send())
                .compose(response -> response.body()
                        .map(body -> new Reply(response.statusCode(), response.getHeader(HttpHeaders.LOCATION))));
    }
}
