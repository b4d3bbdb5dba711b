package io.cm.server.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admin API (SPEC §9): who may call it, and what a starting server runs when both the config
 * file and changes made through the API exist.
 *
 * @param tokens        bearer tokens, each with the name the audit trail records; none: the API is off
 *                      (404), unless {@code generateToken}
 * @param generateToken the server runs the built-in demo configuration (no config file at all): a
 *                      token is generated once, kept owner-only in the data directory and printed
 * @param precedence    which wins at start-up, the persisted admin changes or the config file
 */
public record AdminSettings(List<Token> tokens, boolean generateToken, Precedence precedence) {

    /** Shorter tokens could be guessed; a generated one has 32 random bytes. */
    static final int MIN_TOKEN_LENGTH = 16;
    private static final Pattern NAMED = Pattern.compile("([A-Za-z0-9_.-]{1,64}):(.+)");
    private static final String DEFAULT_NAME = "admin";

    public AdminSettings {
        tokens = List.copyOf(tokens);
    }

    /** An admin token and the name under which its changes are audited. */
    public record Token(String name, String secret) {
        @Override
        public String toString() {
            return "Token[" + name + "]";
        }
    }

    /** {@code server.admin-config}: what a starting server runs when admin changes were persisted. */
    public enum Precedence {
        /** The configuration last changed through the admin API, once there is one; else the file's. */
        PERSISTED,
        /** The file's, which replaces the persisted one (recorded in the audit trail). */
        FILE
    }

    /**
     * {@code server.admin-token} (CM_ADMIN_TOKEN): one token, named {@code admin}, or several
     * separated by commas, each {@code name:token}.
     */
    static List<Token> parseTokens(String text) {
        List<Token> tokens = new ArrayList<>();
        if (text == null || text.isBlank()) return tokens;
        Set<String> names = new HashSet<>();
        for (String entry : text.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) continue;
            Matcher named = NAMED.matcher(trimmed);
            Token token = named.matches() ? new Token(named.group(1), named.group(2)) : new Token(DEFAULT_NAME, trimmed);
            if (token.secret().length() < MIN_TOKEN_LENGTH) {
                throw new IllegalArgumentException("server.admin-token (CM_ADMIN_TOKEN): the token named " + token.name()
                        + " must be at least " + MIN_TOKEN_LENGTH + " characters long");
            }
            if (!names.add(token.name())) {
                throw new IllegalArgumentException("server.admin-token (CM_ADMIN_TOKEN): two tokens are named "
                        + token.name() + " (write several as name:token,name:token)");
            }
            tokens.add(token);
        }
        return tokens;
    }

    static Precedence precedence(String text) {
        if (text == null) return Precedence.PERSISTED;
        try {
            return Precedence.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("server.admin-config: unknown value '" + text
                    + "' (expected persisted or file)");
        }
    }
}
