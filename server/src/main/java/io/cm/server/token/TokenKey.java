package io.cm.server.token;

import io.cm.server.config.ServerConfig;
import io.cm.server.ops.GeneratedKeyFile;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * The key that signs access tokens. Nodes that share it accept each other's tokens. In order:
 * {@code server.token-secret} ({@code CM_TOKEN_SECRET}); else derived from {@code server.id-secret}, which
 * every node of a Redis deployment already shares (HMAC-SHA256 of a fixed label, so neither key reveals
 * the other); else generated once into {@code <data-dir>/token.key} (0600), for a single node.
 */
public final class TokenKey {

    private static final String DERIVATION_LABEL = "cm access-token signing key v1";

    private TokenKey() {
    }

    public static byte[] load(ServerConfig config) {
        if (config.tokens().secret().isPresent()) return config.tokens().secret().get().getBytes(StandardCharsets.UTF_8);
        if (config.idSecret().isPresent()) return derive(config.idSecret().get().getBytes(StandardCharsets.UTF_8));
        return GeneratedKeyFile.load(config.dataDir(), "token.key", "access token key");
    }

    private static byte[] derive(byte[] idSecret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(idSecret, "HmacSHA256"));
            return mac.doFinal(DERIVATION_LABEL.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
