package io.cm.server.credentials;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A client secret as the config keeps it: {@code pbkdf2-sha256$<iterations>$<salt>$<hash>} (salt and
 * hash in unpadded Base64), the JDK's PBKDF2 with HMAC-SHA256, so that whoever reads the config cannot
 * use the secrets in it. {@code cm-server hash-secret} writes one. The iteration count travels with
 * the hash: stronger hashes can be introduced without breaking older ones.
 *
 * <p>{@link #matches} costs what the iterations cost (about a quarter of a second at
 * {@value #DEFAULT_ITERATIONS}): it runs on a worker thread, never on an event loop.
 */
public final class SecretHash {

    /** OWASP's figure for PBKDF2-HMAC-SHA256. */
    public static final int DEFAULT_ITERATIONS = 600_000;
    private static final String SCHEME = "pbkdf2-sha256";
    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final int MIN_ITERATIONS = 1_000;

    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    private SecretHash(int iterations, byte[] salt, byte[] hash) {
        this.iterations = iterations;
        this.salt = salt;
        this.hash = hash;
    }

    /** Hashes {@code secret} with a new random salt. */
    public static SecretHash of(String secret, int iterations) {
        if (iterations < MIN_ITERATIONS) throw new IllegalArgumentException("at least " + MIN_ITERATIONS + " iterations");
        byte[] salt = new byte[SALT_BYTES];
        new SecureRandom().nextBytes(salt);
        return new SecretHash(iterations, salt, derive(secret, salt, iterations));
    }

    /** @throws IllegalArgumentException saying what a well-formed hash looks like */
    public static SecretHash parse(String text) {
        String[] parts = text == null ? new String[0] : text.split("\\$", -1);
        try {
            if (parts.length == 4 && parts[0].equals(SCHEME) && parts[1].matches("[0-9]{4,9}")) {
                int iterations = Integer.parseInt(parts[1]);
                byte[] salt = Base64.getDecoder().decode(parts[2]);
                byte[] hash = Base64.getDecoder().decode(parts[3]);
                if (iterations >= MIN_ITERATIONS && salt.length >= SALT_BYTES && hash.length == HASH_BITS / 8) {
                    return new SecretHash(iterations, salt, hash);
                }
            }
        } catch (IllegalArgumentException badBase64) {
            // described below
        }
        throw new IllegalArgumentException("a client secret must be stored hashed, as '" + SCHEME
                + "$<iterations>$<salt>$<hash>' (write one with: java -jar cm-server.jar hash-secret)");
    }

    /** Whether {@code secret} is the one hashed here, compared in constant time. Costly: not on an event loop. */
    public boolean matches(String secret) {
        return MessageDigest.isEqual(hash, derive(secret, salt, iterations));
    }

    public String encoded() {
        Base64.Encoder base64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + iterations + "$" + base64.encodeToString(salt) + "$" + base64.encodeToString(hash);
    }

    private static byte[] derive(String secret, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(secret.toCharArray(), salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is part of every JDK", e);
        } finally {
            spec.clearPassword();
        }
    }

    @Override
    public String toString() {
        return encoded();
    }
}
