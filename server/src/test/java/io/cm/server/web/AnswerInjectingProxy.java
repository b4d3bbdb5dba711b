package io.cm.server.web;

import io.cm.server.TestServer;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Pattern;

/**
 * A reverse proxy in front of a test server that answers the next stream starts with canned answers instead
 * of forwarding them: what a browser sees when a faulty service, or something between it and the service,
 * answers what the API does not define. Everything else goes through unchanged (headers too: the server's
 * {@code Date} stays the server's), so the page and its script are the server's own.
 */
final class AnswerInjectingProxy implements AutoCloseable {

    /** An answer as it goes on the wire. */
    record Answer(int status, Map<String, String> headers, String body) {
    }

    private static final Pattern START = Pattern.compile("/v2/sessions/[^/]+/[^/]+");
    /** Headers that describe one hop only; each side sets its own. */
    private static final Set<String> HOP_HEADERS = Set.of("connection", "content-length", "host", "keep-alive",
            "transfer-encoding", "upgrade");

    private final TestServer target;
    private final Vertx vertx = Vertx.vertx();
    private final HttpClient client = vertx.createHttpClient();
    private final HttpServer server;
    private final Queue<Answer> startAnswers = new ConcurrentLinkedQueue<>();

    private AnswerInjectingProxy(TestServer target) {
        this.target = target;
        this.server = Future.await(vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1"));
    }

    static AnswerInjectingProxy before(TestServer target) {
        return new AnswerInjectingProxy(target);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.actualPort() + path);
    }

    /** The next start (init) that comes through gets {@code answer}, and does not reach the server. */
    void answerNextStart(Answer answer) {
        startAnswers.add(answer);
    }

    private void handle(HttpServerRequest request) {
        Answer canned = request.method() == HttpMethod.POST && START.matcher(request.path()).matches()
                ? startAnswers.poll() : null;
        if (canned != null) {
            request.response().setStatusCode(canned.status());
            canned.headers().forEach(request.response()::putHeader);
            request.response().end(canned.body());
            return;
        }
        request.body()
                .compose(body -> client.request(new RequestOptions().setMethod(request.method())
                                .setHost("127.0.0.1").setPort(target.port()).setURI(request.uri())
                                .setHeaders(withoutHopHeaders(request.headers())))
                        .compose(forwarded -> forwarded.send(body)))
                .compose(response -> response.body().map(body -> answer(request, response, body)))
                .onFailure(failure -> request.response().setStatusCode(502).end());
    }

    private static Void answer(HttpServerRequest request, HttpClientResponse response, Buffer body) {
        request.response().setStatusCode(response.statusCode()).headers().addAll(withoutHopHeaders(response.headers()));
        request.response().end(body);
        return null;
    }

    private static MultiMap withoutHopHeaders(MultiMap headers) {
        MultiMap copy = MultiMap.caseInsensitiveMultiMap();
        headers.forEach((name, value) -> {
            if (!HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT))) copy.add(name, value);
        });
        return copy;
    }

    @Override
    public void close() {
        Future.await(vertx.close());
    }

    /** Headers of a JSON answer. */
    static Map<String, String> json() {
        return Map.of("Content-Type", "application/json;charset=utf-8", "Cache-Control", "no-store");
    }
}
