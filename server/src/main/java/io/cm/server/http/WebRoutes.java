package io.cm.server.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The web pages and scripts of SPEC §11 (the reference player, the operator console), the files of the
 * class-path folder {@code web/} at the same paths ({@code /js/cm-client.js} is {@code web/js/cm-client.js});
 * pages also answer without their file's name or extension ({@code /demo/player}, {@code /console/}). They are
 * not API operations, so the OpenAPI document leaves them out, as it does Swagger UI's assets.
 *
 * <p>Their URLs carry no version, so a browser may keep a copy but must ask again before using it
 * ({@code Cache-Control: no-cache}; an unchanged file is a 304 by its ETag): a page of an upgraded server never
 * runs with a stale script. A path that is not a file falls through to the router's JSON 404. Pages may load
 * nothing but this server's own files ({@code Content-Security-Policy}), so a page cannot come to depend on a
 * CDN unnoticed.
 */
public final class WebRoutes {

    /** The URL folders served. */
    static final List<String> FOLDERS = List.of("/js/", "/css/", "/demo/", "/console/");
    /** Pages addressed without their file's name or extension. */
    private static final Map<String, String> PAGES = Map.of("/demo/player", "/demo/player.html",
            "/console", "/console/index.html", "/console/", "/console/index.html");
    private static final WebFiles FILES = WebFiles.load(WebRoutes.class.getClassLoader(), "web");

    private WebRoutes() {
    }

    public static void mount(Router router) {
        for (String folder : FOLDERS) {
            router.route(folder + "*").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(WebRoutes::serve);
        }
    }

    private static void serve(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        WebFiles.WebFile file = FILES.get(PAGES.getOrDefault(path, path)).orElse(null);
        if (file == null) {
            ctx.next();
            return;
        }
        HttpServerResponse response = ctx.response()
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .putHeader(HttpHeaders.ETAG, file.etag())
                .putHeader(HttpHeaders.CONTENT_TYPE, file.contentType())
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Content-Security-Policy", "default-src 'self'");
        if (matches(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH), file.etag())) {
            response.setStatusCode(304).end();
        } else if (ctx.request().method() == HttpMethod.HEAD) {
            response.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(file.body().length())).end();
        } else {
            response.end(file.body());
        }
    }

    /** {@code If-None-Match}: {@code *} or a list of tags, weak ones compared by their value (RFC 9110 §13.1.2). */
    private static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) return false;
        return Arrays.stream(ifNoneMatch.split(",")).map(String::trim)
                .anyMatch(tag -> tag.equals("*") || tag.equals(etag) || tag.equals("W/" + etag));
    }
}
