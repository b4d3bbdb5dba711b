package io.cm.server.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;

/**
 * SPEC §2: a request body carries metadata as {@code application/x-www-form-urlencoded}, and only
 * so. Any other body (JSON, multipart, none declared) is refused with 415 before it is read;
 * multipart would otherwise be parsed into form attributes nobody looks at and ignored.
 */
final class BodyTypes {

    static final String FORM = "application/x-www-form-urlencoded";

    private BodyTypes() {
    }

    static void requireForm(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String length = request.getHeader("Content-Length");
        boolean hasBody = request.getHeader("Transfer-Encoding") != null || (length != null && !length.trim().equals("0"));
        if (hasBody && !FORM.equals(mediaType(request.getHeader("Content-Type")))) {
            throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "A request body must be " + FORM + " (metadata), not "
                    + (request.getHeader("Content-Type") == null ? "undeclared" : mediaType(request.getHeader("Content-Type"))));
        }
        ctx.next();
    }

    static String mediaType(String contentType) {
        if (contentType == null) return null;
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }
}
