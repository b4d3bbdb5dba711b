package io.cm.server.admin;

import io.cm.server.config.AdminSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The bearer tokens of the admin API. Presented tokens are compared with every configured one
 * through their SHA-256 digests, so the comparison takes the same time whatever the token's
 * content or length, and which one matched is not told by timing either.
 */
public final class AdminTokens {

    private static final Logger LOG = LoggerFactory.getLogger(AdminTokens.class);
    static final String FILE = "admin.token";
    private static final String BEARER = "bearer ";

    private record Known(String name, byte[] digest) {
    }

    private final List<Known> tokens;

    private AdminTokens(List<AdminSettings.Token> tokens) {
        this.tokens = tokens.stream().map(t -> new Known(t.name(), digest(t.secret()))).toList();
    }

    /**
     * The configured tokens; with none configured and {@code generateToken}, the token kept in
     * {@code dataDir}, generated (and printed once, with where it is kept) on first start.
     */
    public static AdminTokens load(AdminSettings settings, Path dataDir) {
        if (!settings.tokens().isEmpty() || !settings.generateToken()) return new AdminTokens(settings.tokens());
        return new AdminTokens(List.of(new AdminSettings.Token("admin", generated(dataDir.resolve(FILE)))));
    }

    private static String generated(Path file) {
        try {
            if (Files.exists(file)) {
                LOG.info("Admin API token: kept in {}", file);
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
            Files.writeString(file, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            // Printed once, when made: later starts only say where it is kept.
            System.out.println("Admin API token (kept in " + file + "): " + token);
            return token;
        } catch (FileAlreadyExistsException e) {
            return generated(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the admin token " + file, e);
        }
    }

    /** Whether the admin API is on: some token may be presented. */
    public boolean enabled() {
        return !tokens.isEmpty();
    }

    /** The name of the token {@code authorization} ({@code Bearer <token>}) presents, if it is one of them. */
    public Optional<String> authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        byte[] presented = digest(authorization.substring(BEARER.length()).trim());
        Optional<String> matched = Optional.empty();
        for (Known token : tokens) {
            // Every token is compared, so timing does not tell which matched.
            if (MessageDigest.isEqual(presented, token.digest()) && matched.isEmpty()) matched = Optional.of(token.name());
        }
        return matched;
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
