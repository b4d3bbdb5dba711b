package io.cm.server.http;

import io.cm.core.policy.Application;
import io.cm.core.policy.Catalog;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * HTTP Basic: the user name is the application id; the password is empty unless the application
 * has a secret, which is then compared in constant time. Applications are looked up in the catalog
 * in force at each request, so the admin API's changes apply to the next one.
 */
public final class BasicAuthenticator {

    private static final Map<String, String> CHALLENGE = Map.of("WWW-Authenticate", "Basic realm=\"cm\"");

    private final Supplier<Catalog> catalog;

    public BasicAuthenticator(Supplier<Catalog> catalog) {
        this.catalog = catalog;
    }

    public Application authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw unauthorized("Missing HTTP Basic credentials");
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw unauthorized("Malformed HTTP Basic credentials");
        }
        int colon = decoded.indexOf(':');
        String user = colon < 0 ? decoded : decoded.substring(0, colon);
        String password = colon < 0 ? "" : decoded.substring(colon + 1);
        Optional<Application> app = catalog.get().application(user);
        if (app.isEmpty() || !passwordMatches(app.get(), password)) {
            throw unauthorized("Unknown application or wrong secret");
        }
        return app.get();
    }

    private static boolean passwordMatches(Application app, String password) {
        byte[] expected = app.secret().orElse("").getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, password.getBytes(StandardCharsets.UTF_8));
    }

    private static ApiError unauthorized(String message) {
        return new ApiError(401, "UNAUTHORIZED", message, Optional.empty(), CHALLENGE);
    }
}
