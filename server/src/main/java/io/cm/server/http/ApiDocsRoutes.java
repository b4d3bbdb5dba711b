package io.cm.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The OpenAPI document at {@code /v2/api-docs} and Swagger UI showing it at {@code /swagger-ui/}.
 * The document is kept as YAML in the sources because it is written by hand; it is served as JSON
 * because that is what tools fetching {@code api-docs} expect.
 */
public final class ApiDocsRoutes {

    private static final String DOCUMENT_PATH = "/v2/api-docs";
    private static final String UI_PATH = "/swagger-ui/";
    private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/5.30.2";
    private static final String DOCUMENT = loadDocument();

    /** Replaces the webjar's initializer, which points at the petstore demo. */
    private static final String INITIALIZER = """
            window.onload = function () {
              window.ui = SwaggerUIBundle({
                url: "%s",
                dom_id: "#swagger-ui",
                deepLinking: true,
                presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
                plugins: [SwaggerUIBundle.plugins.DownloadUrl],
                layout: "StandaloneLayout"
              });
            };
            """.formatted(DOCUMENT_PATH);

    private ApiDocsRoutes() {
    }

    public static void mount(Router router) {
        router.get(DOCUMENT_PATH).handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json;charset=utf-8")
                .end(DOCUMENT));
        // Vert.x matches "/swagger-ui" for "/swagger-ui/" too; only the slashless form redirects,
        // since the UI's relative asset URLs resolve only under the slash.
        router.get(UI_PATH.substring(0, UI_PATH.length() - 1)).handler(ctx -> {
            if (ctx.request().path().endsWith("/")) {
                ctx.next();
            } else {
                ctx.redirect(UI_PATH);
            }
        });
        router.get(UI_PATH + "swagger-initializer.js").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/javascript;charset=utf-8")
                .end(INITIALIZER));
        router.get(UI_PATH + "*").handler(StaticHandler.create(WEBJAR));
    }

    private static String loadDocument() {
        try (InputStream yaml = ApiDocsRoutes.class.getResourceAsStream("/openapi.yaml")) {
            if (yaml == null) throw new IllegalStateException("openapi.yaml is missing from the classpath");
            return new ObjectMapper().writeValueAsString(new YAMLMapper().readTree(yaml));
        } catch (IOException e) {
            throw new UncheckedIOException("openapi.yaml cannot be read", e);
        }
    }
}
