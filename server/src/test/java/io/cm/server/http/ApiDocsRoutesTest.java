package io.cm.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /v2/api-docs} and {@code /swagger-ui/} (SPEC §4), mounted alone on a router. */
class ApiDocsRoutesTest {

    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");

    private static Vertx vertx;
    private static HttpServer server;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        ApiDocsRoutes.mount(router);
        server = Future.await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    }

    @AfterAll
    static void stop() {
        Future.await(vertx.close());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void apiDocsIsAnOpenApi31JsonDocumentWithEverySessionOperation() throws Exception {
        HttpResponse<String> response = get("/v2/api-docs");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json;charset=utf-8");
        JsonNode doc = new ObjectMapper().readTree(response.body());
        assertThat(doc.path("openapi").asText()).startsWith("3.1.");
        Map<String, Set<String>> expected = Map.of(
                "/v2/metadata", Set.of("get"),
                "/v2/sessions/{idp}/{subject}", Set.of("post"),
                "/v2/sessions/{idp}/{subject}/{sessionId}", Set.of("post", "delete"),
                "/v2/runningStreams/{idp}/{subject}", Set.of("get"),
                "/api/1/stream/{streamName}", Set.of("get"));
        expected.forEach((path, methods) -> assertThat(methods(doc.path("paths").path(path)))
                .as(path).isEqualTo(methods));
        assertThat(names(doc.path("components").path("schemas"))).contains("ErrorResponse",
                "EvaluationResult", "RuleViolationAdvice", "RemoteTerminationAdvice", "Conflict", "Obligation",
                "RunningStreams");
    }

    private static Set<String> methods(JsonNode pathItem) {
        Set<String> methods = names(pathItem);
        methods.retainAll(HTTP_METHODS);
        return methods;
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new HashSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void swaggerUiPageLoadsTheBundleWhichIsServed() throws Exception {
        HttpResponse<String> page = get("/swagger-ui/");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/html"));
        assertThat(page.body()).contains("swagger-ui-bundle.js");
        assertThat(get("/swagger-ui/swagger-ui-bundle.js").statusCode()).isEqualTo(200);
    }

    @Test
    void swaggerUiLoadsOurDocumentNotThePetstore() throws Exception {
        HttpResponse<String> initializer = get("/swagger-ui/swagger-initializer.js");

        assertThat(initializer.statusCode()).isEqualTo(200);
        assertThat(initializer.body()).contains("\"/v2/api-docs\"").doesNotContain("petstore");
    }

    @Test
    void swaggerUiWithoutSlashRedirectsSoRelativeAssetsResolve() throws Exception {
        HttpResponse<String> response = get("/swagger-ui");

        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location")).hasValue("/swagger-ui/");
    }
}
