package io.cm.client;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Opens one live-stream connection (SPEC §6): {@code GET} with the bearer token and
 * {@code Accept-Encoding: gzip}, following redirects itself, since {@code java.net.http} would drop
 * {@code Authorization} on the way. A redirect from https to http is refused: it would send the token
 * in clear.
 */
final class StreamConnector {

    /** A 200: the body (still gzip-encoded when {@code gzip}), open until the stream ends. */
    record Opened(InputStream body, boolean gzip) {
    }

    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_ERROR_BODY = 4096;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    /** A client error the same request would get again, except these, which say "not now". */
    private static final Set<Integer> TRANSIENT_CLIENT_ERRORS = Set.of(408, 409, 425, 429);

    private final HttpClient http;
    private final BearerTokens tokens;
    private final Duration requestTimeout;

    /** {@code requestTimeout}: how long an attempt waits for the status and headers (the body has no limit). */
    StreamConnector(HttpClient http, BearerTokens tokens, Duration requestTimeout) {
        this.http = http;
        this.tokens = tokens;
        this.requestTimeout = requestTimeout;
    }

    /**
     * Connects, following redirects; a refusal or no answer is a {@link NotConnected}. A 401 to a token
     * that can be renewed (an expired access token) is tried once more with a new token.
     */
    Opened open(URI start) throws NotConnected, InterruptedException {
        String token = tokens.current();
        try {
            return attempt(start, token);
        } catch (NotConnected refused) {
            if (refused.status().orElse(0) != 401 || !tokens.renewAfter(token)) throw refused;
            return attempt(start, tokens.current());
        }
    }

    private Opened attempt(URI start, String token) throws NotConnected, InterruptedException {
        try {
            return follow(start, "Bearer " + token);
        } catch (IOException e) {
            throw NotConnected.unanswered(e);
        }
    }

    private Opened follow(URI start, String authorization) throws NotConnected, IOException, InterruptedException {
        URI uri = start;
        for (int redirects = 0; ; redirects++) {
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri)
                    .version(HttpClient.Version.HTTP_1_1) // whatever the client prefers: the stream answers 505 to others
                    .timeout(requestTimeout)
                    .header("Authorization", authorization)
                    .header("Accept-Encoding", "gzip")
                    .GET()
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            int status = response.statusCode();
            if (status == 200) {
                boolean gzip = response.headers().firstValue("Content-Encoding")
                        .map(encoding -> encoding.toLowerCase().contains("gzip")).orElse(false);
                return new Opened(response.body(), gzip);
            }
            String body = errorBody(response.body());
            Optional<String> location = response.headers().firstValue("Location");
            if (!REDIRECTS.contains(status) || location.isEmpty()) throw refused(response, body);
            if (redirects == MAX_REDIRECTS) {
                throw NotConnected.refused(status, Optional.empty(), "more than " + MAX_REDIRECTS + " redirects", false);
            }
            URI next = uri.resolve(location.get());
            if ("https".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
                throw NotConnected.refused(status, Optional.empty(), "redirect from " + uri + " to " + next
                        + " refused: it would send the bearer token unencrypted", true);
            }
            uri = next;
        }
    }

    private static NotConnected refused(HttpResponse<InputStream> response, String body) {
        int status = response.statusCode();
        boolean permanent = status < 500 ? !TRANSIENT_CLIENT_ERRORS.contains(status) : status == 505;
        return NotConnected.refused(status, ServerTimes.retryDelay(response.headers()),
                "HTTP " + status + " " + describe(body), permanent);
    }

    private static String errorBody(InputStream body) throws IOException {
        try (body) {
            return new String(body.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
        }
    }

    /** The live stream's error shape, {@code {"error","error_description"}}, or the raw text. */
    private static String describe(String body) {
        try {
            JsonNode error = Json.MAPPER.readTree(body);
            if (error != null && error.path("error").isTextual()) {
                return error.path("error").asText() + ": " + error.path("error_description").asText("");
            }
        } catch (JacksonException notJson) {
            // shown as it came
        }
        return body.strip();
    }
}
