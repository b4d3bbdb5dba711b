package io.cm.server.http;

import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static io.cm.server.http.Api.assertError;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web pages and the browser client are static files of the server itself (SPEC §11): the right
 * content types, a cache that revalidates, and the spec's JSON error shape for what is not there.
 */
class WebRoutesTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.demo();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> get(String path) {
        return server.send(HttpRequest.newBuilder(server.uri(path)).GET());
    }

    private static String header(HttpResponse<String> response, String name) {
        return response.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name));
    }

    @Test
    void theBrowserClientIsJavaScriptThatBrowsersKeepButRevalidate() {
        HttpResponse<String> script = get("/js/cm-client.js");

        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(header(script, "Content-Type")).isEqualToIgnoringCase("text/javascript;charset=utf-8");
        assertThat(header(script, "Cache-Control")).isEqualTo("no-cache");
        assertThat(header(script, "X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(script.body()).contains("export class ConcurrencyClient");

        HttpResponse<String> again = server.send(HttpRequest.newBuilder(server.uri("/js/cm-client.js"))
                .header("If-None-Match", "\"other\", " + header(script, "ETag")).GET());
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(header(again, "Cache-Control")).isEqualTo("no-cache");
        assertThat(header(again, "ETag")).isEqualTo(header(script, "ETag"));
    }

    @Test
    void aStaleCopyIsSentAgainInFull() {
        HttpResponse<String> changed = server.send(HttpRequest.newBuilder(server.uri("/js/cm-client.js"))
                .header("If-None-Match", "\"an-older-version\"").GET());

        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(changed.body()).contains("export class ConcurrencyClient");
    }

    @Test
    void thePlayerPageIsHtmlAtItsPathWithoutExtensionAndLoadsOnlyThisServersFiles() {
        HttpResponse<String> page = get("/demo/player");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(header(page, "Content-Type")).isEqualToIgnoringCase("text/html;charset=utf-8");
        assertThat(header(page, "Content-Security-Policy")).isEqualTo("default-src 'self'");
        assertThat(header(page, "Cache-Control")).isEqualTo("no-cache");
        assertThat(page.body()).contains("<title>").contains("/demo/player.js");
        assertThat(header(get("/demo/player.css"), "Content-Type")).isEqualToIgnoringCase("text/css;charset=utf-8");
        assertThat(header(get("/css/base.css"), "Content-Type")).isEqualToIgnoringCase("text/css;charset=utf-8");
    }

    @Test
    void theConsoleIsHtmlAtItsFolderWithOrWithoutTheSlashAndLoadsOnlyThisServersFiles() {
        for (String path : new String[] {"/console/", "/console"}) {
            HttpResponse<String> page = get(path);

            assertThat(page.statusCode()).as(path).isEqualTo(200);
            assertThat(header(page, "Content-Type")).isEqualToIgnoringCase("text/html;charset=utf-8");
            assertThat(header(page, "Content-Security-Policy")).isEqualTo("default-src 'self'");
            assertThat(page.body()).contains("/console/console.js");
        }
        assertThat(header(get("/console/chart.js"), "Content-Type")).isEqualToIgnoringCase("text/javascript;charset=utf-8");
    }

    @Test
    void headAnswersTheHeadersOfAFileWithoutItsBody() {
        HttpResponse<String> head = server.send(HttpRequest.newBuilder(server.uri("/js/cm-client.js"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(header(head, "Content-Type")).isEqualToIgnoringCase("text/javascript;charset=utf-8");
        assertThat(header(head, "Content-Length")).isEqualTo(Integer.toString(get("/js/cm-client.js").body()
                .getBytes(StandardCharsets.UTF_8).length));
    }

    @Test
    void aMissingFileUnderAWebFolderIsA404WithTheErrorShapeAndIsNotCached() {
        assertError(get("/js/missing.js"), 404, "ROUTE_NOT_FOUND");
        assertError(get("/demo/"), 404, "ROUTE_NOT_FOUND");
        assertError(get("/js/"), 404, "ROUTE_NOT_FOUND");
    }

    @Test
    void pathsCannotClimbOutOfTheWebFolder() {
        assertError(get("/js/../demo-config.yaml"), 404, "ROUTE_NOT_FOUND");
        assertError(get("/js/%2e%2e/demo-config.yaml"), 404, "ROUTE_NOT_FOUND");
        assertError(get("/js/..%2fdemo-config.yaml"), 404, "ROUTE_NOT_FOUND");
        assertError(get("/demo/%2e%2e/%2e%2e/openapi.yaml"), 404, "ROUTE_NOT_FOUND");
    }

    @Test
    void webFilesCannotBeWritten() {
        HttpResponse<String> post = server.send(HttpRequest.newBuilder(server.uri("/js/cm-client.js"))
                .POST(HttpRequest.BodyPublishers.ofString("x")));

        assertError(post, 405, "METHOD_NOT_ALLOWED");
    }
}
