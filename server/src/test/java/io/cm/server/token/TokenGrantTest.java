package io.cm.server.token;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.server.TestServer;
import io.cm.server.TokenRequests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static io.cm.server.TokenRequests.grant;
import static io.cm.server.TokenRequests.post;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /token}, the client-credentials grant (RFC 6749 §4.4), and its errors (§5.2). Of §5.2's
 * codes, {@code invalid_grant} concerns grants that carry an authorization (a code, a refresh token, a
 * user's password), which client credentials do not: this endpoint never answers it.
 */
class TokenGrantTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.withConfig("""
                tenants:
                  - id: demo
                    applications:
                      - {id: demo-app, policies: [open]}
                policies:
                  - name: open
                    rules:
                      - {type: max-streams, limit: 100}
                streams:
                  - {name: a, tenant: demo, tokens: [token-a]}
                  - {name: b, tenant: demo, tokens: [token-b]}
                stream-clients:
                """ + TokenRequests.client("reader-a", "secret-a", "a")
                + TokenRequests.client("reader-ab", "secret-ab", "a, b")
                + TokenRequests.client("withdrawn", "secret-w", ""));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void basicCredentialsGetABearerTokenForTheClientsStreamsThatExpiresInAnHour() {
        HttpResponse<String> response = grant(server, "reader-ab", "secret-ab");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = TestServer.json(response);
        assertThat(body.path("access_token").asText()).isNotBlank();
        assertThat(body.path("token_type").asText()).isEqualTo("bearer");
        assertThat(body.path("expires_in").asLong()).isEqualTo(3600);
        assertThat(body.path("scope").asText()).isEqualTo("a b");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(response.headers().firstValue("Pragma")).hasValue("no-cache");
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
    }

    @Test
    void credentialsInTheFormBodyGetATokenToo() {
        HttpResponse<String> response = post(server, null,
                "grant_type=client_credentials&client_id=reader-a&client_secret=secret-a");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(TestServer.json(response).path("scope").asText()).isEqualTo("a");
    }

    @Test
    void aScopeNamingSomeOfTheClientsStreamsGetsATokenForThoseOnly() {
        HttpResponse<String> response = post(server, TestServer.basic("reader-ab", "secret-ab"),
                "grant_type=client_credentials&scope=b");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(TestServer.json(response).path("scope").asText()).isEqualTo("b");
    }

    @Test
    void aWrongSecretIsInvalidClient401WithABasicChallenge() {
        assertError(grant(server, "reader-a", "secret-b"), 401, "invalid_client");
        HttpResponse<String> inForm = post(server, null,
                "grant_type=client_credentials&client_id=reader-a&client_secret=nope");
        assertError(inForm, 401, "invalid_client");
        assertThat(inForm.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"cm\"");
    }

    @Test
    void anUnknownClientIsInvalidClient401() {
        HttpResponse<String> response = grant(server, "nobody", "secret-a");

        assertError(response, 401, "invalid_client");
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"cm\"");
    }

    @Test
    void noCredentialsOrAMalformedBasicHeaderIsInvalidClient401() {
        assertError(post(server, null, "grant_type=client_credentials"), 401, "invalid_client");
        assertError(post(server, "Basic !!!", "grant_type=client_credentials"), 401, "invalid_client");
        assertError(post(server, "Bearer token-a", "grant_type=client_credentials"), 401, "invalid_client");
    }

    @Test
    void aMissingGrantTypeIsInvalidRequest() {
        assertError(post(server, TestServer.basic("reader-a", "secret-a"), "scope=a"), 400, "invalid_request");
    }

    @Test
    void aParameterGivenTwiceIsInvalidRequest() {
        assertError(post(server, TestServer.basic("reader-a", "secret-a"),
                "grant_type=client_credentials&grant_type=client_credentials"), 400, "invalid_request");
    }

    @Test
    void twoAuthenticationMethodsAtOnceIsInvalidRequest() {
        assertError(post(server, TestServer.basic("reader-a", "secret-a"),
                "grant_type=client_credentials&client_id=reader-a&client_secret=secret-a"), 400, "invalid_request");
    }

    @Test
    void aBodyThatIsNotAFormIsInvalidRequest() {
        HttpResponse<String> response = server.send(HttpRequest.newBuilder(server.uri("/token"))
                .header("Authorization", TestServer.basic("reader-a", "secret-a"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"grant_type\":\"client_credentials\"}")));

        assertError(response, 400, "invalid_request");
    }

    @Test
    void anotherGrantTypeIsUnsupportedGrantType() {
        assertError(post(server, TestServer.basic("reader-a", "secret-a"), "grant_type=password&username=u&password=p"),
                400, "unsupported_grant_type");
        assertError(post(server, TestServer.basic("reader-a", "secret-a"), "grant_type=authorization_code&code=x"),
                400, "unsupported_grant_type");
    }

    @Test
    void aClientWhoseStreamsWereWithdrawnIsUnauthorizedClient() {
        assertError(grant(server, "withdrawn", "secret-w"), 400, "unauthorized_client");
    }

    @Test
    void aScopeBeyondTheClientsStreamsIsInvalidScope() {
        assertError(post(server, TestServer.basic("reader-a", "secret-a"), "grant_type=client_credentials&scope=a%20b"),
                400, "invalid_scope");
    }

    @Test
    void otherMethodsThanPostAre405() {
        HttpResponse<String> response = server.send(HttpRequest.newBuilder(server.uri("/token")).GET());

        assertError(response, 405, "method_not_allowed");
    }

    private static void assertError(HttpResponse<String> response, int status, String error) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = TestServer.json(response);
        assertThat(body.path("error").asText()).as(body.toString()).isEqualTo(error);
        assertThat(body.path("error_description").asText()).isNotBlank();
        assertThat(body.size()).as("error and error_description only: %s", body).isEqualTo(2);
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    }
}
