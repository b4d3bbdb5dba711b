package io.cm.client;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

/**
 * Access tokens from the service's token endpoint (OAuth 2.0 client credentials, RFC 6749 §4.4): one is
 * obtained when first needed and kept; a new one is obtained a tenth of its lifetime (at most a minute)
 * before it expires, and at once when the stream answers 401 to it. The client id and secret go by
 * HTTP Basic, each form-urlencoded first (RFC 6749 §2.3.1).
 */
final class ClientCredentialsTokens implements BearerTokens {

    private static final Duration MAX_MARGIN = Duration.ofMinutes(1);
    /** Refusals that the same credentials would get again. */
    private static final Set<Integer> PERMANENT = Set.of(400, 401, 403, 404, 405);

    private final HttpClient http;
    private final URI tokenUrl;
    private final String authorization;
    private final Duration requestTimeout;
    private final Clock clock;
    private String token;
    private Instant renewAt = Instant.MIN;

    ClientCredentialsTokens(HttpClient http, URI tokenUrl, String clientId, String clientSecret, Duration requestTimeout,
                            Clock clock) {
        this.http = http;
        this.tokenUrl = tokenUrl;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                + ":" + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        this.requestTimeout = requestTimeout;
        this.clock = clock;
    }

    @Override
    public String current() throws NotConnected, InterruptedException {
        if (token == null || !clock.instant().isBefore(renewAt)) obtain();
        return token;
    }

    @Override
    public boolean renewAfter(String rejected) {
        if (rejected.equals(token)) token = null;
        return true;
    }

    private void obtain() throws NotConnected, InterruptedException {
        Instant asked = clock.instant();
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(tokenUrl)
                    .timeout(requestTimeout)
                    .header("Authorization", authorization)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw NotConnected.unanswered(e);
        }
        int status = response.statusCode();
        if (status != 200) {
            throw NotConnected.refused(status, ServerTimes.retryDelay(response.headers()),
                    "token endpoint " + tokenUrl + ": HTTP " + status + " " + response.body().strip(),
                    PERMANENT.contains(status));
        }
        try {
            JsonNode body = Json.MAPPER.readTree(response.body());
            String accessToken = body.path("access_token").asText("");
            long expiresIn = body.path("expires_in").asLong(0);
            if (accessToken.isEmpty() || !"bearer".equalsIgnoreCase(body.path("token_type").asText())) {
                throw malformed(response.body());
            }
            token = accessToken;
            // Without expires_in (RFC 6749 makes it optional) the token is kept until the stream refuses it.
            Duration lifetime = expiresIn > 0 ? Duration.ofSeconds(expiresIn) : null;
            renewAt = lifetime == null ? Instant.MAX
                    : asked.plus(lifetime).minus(min(lifetime.dividedBy(10), MAX_MARGIN));
        } catch (JacksonException e) {
            throw malformed(response.body());
        }
    }

    private NotConnected malformed(String body) {
        return NotConnected.refused(200, java.util.Optional.empty(), "token endpoint " + tokenUrl
                + ": not an access token: " + body.strip(), true);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
