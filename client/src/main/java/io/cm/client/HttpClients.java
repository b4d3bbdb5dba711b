package io.cm.client;

import java.net.http.HttpClient;
import java.time.Duration;

/** The {@link HttpClient} a client makes for itself when the caller gives none, and its release. */
final class HttpClients {

    private static final System.Logger LOG = System.getLogger(HttpClients.class.getName());

    private HttpClients() {
    }

    /** HTTP/1.1 (the live stream answers 505 to anything else); redirects are never followed by it. */
    static HttpClient create(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Frees {@code http}'s threads where the JDK can (21 and later: {@code close()}, after the requests in
     * flight). On 17 an {@link HttpClient} has no such method and its thread ends once it is unreachable.
     */
    static void release(HttpClient http) {
        if (!(http instanceof AutoCloseable closeable)) return;
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "Closing the HTTP client failed", e);
        }
    }
}
