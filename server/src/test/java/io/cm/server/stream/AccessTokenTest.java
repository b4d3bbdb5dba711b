package io.cm.server.stream;

import io.cm.server.TestServer;
import io.cm.server.TokenRequests;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import static io.cm.server.stream.StreamFixture.assertStreamError;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live stream read with access tokens of {@code POST /token}: a token reads the streams it was
 * issued for until it expires, then 401 tells the consumer to ask for a new one; static tokens go on
 * working beside them.
 */
class AccessTokenTest {

    private static final String CONFIG = StreamFixture.config("""
            stream-clients:
            """ + TokenRequests.client("reader", "secret", "demo")
            + TokenRequests.client("other-reader", "secret", "other"), "demo");

    @Test
    void aTokenReadsTheStreamItWasIssuedFor() {
        try (TestServer server = TestServer.withConfig(CONFIG)) {
            StreamFixture.start(server, StreamFixture.DEMO_APP, "first");
            String token = TokenRequests.accessToken(server, "reader", "secret");

            try (StreamClient stream = StreamClient.request(server, "/api/1/stream/demo")
                    .header("Authorization", "Bearer " + token).open()) {
                assertThat(stream.status()).isEqualTo(200);
                String session = StreamFixture.start(server, StreamFixture.DEMO_APP, "alice");
                assertThat(StreamFixture.startsOf(stream, "alice", session)).containsExactly(session);
            }
        }
    }

    @Test
    void anExpiredTokenIs401AndAFreshTokenReadsTheSameStream() {
        try (TestServer server = TestServer.withConfig(CONFIG)) {
            StreamFixture.start(server, StreamFixture.DEMO_APP, "first");
            String token = TokenRequests.accessToken(server, "reader", "secret");
            server.clock.advance(Duration.ofHours(1));

            try (StreamClient expired = StreamClient.request(server, "/api/1/stream/demo")
                    .header("Authorization", "Bearer " + token).open()) {
                assertStreamError(expired, 401, "invalid_token");
                assertThat(expired.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
            }
            String fresh = TokenRequests.accessToken(server, "reader", "secret");
            try (StreamClient stream = StreamClient.request(server, "/api/1/stream/demo")
                    .header("Authorization", "Bearer " + fresh).open()) {
                assertThat(stream.status()).isEqualTo(200);
            }
        }
    }

    @Test
    void aTokenIsAcceptedUntilItsLastSecond() {
        try (TestServer server = TestServer.withConfig(CONFIG)) {
            StreamFixture.start(server, StreamFixture.DEMO_APP, "first");
            String token = TokenRequests.accessToken(server, "reader", "secret");
            server.clock.advance(Duration.ofMinutes(59));

            try (StreamClient stream = StreamClient.request(server, "/api/1/stream/demo")
                    .header("Authorization", "Bearer " + token).open()) {
                assertThat(stream.status()).isEqualTo(200);
            }
        }
    }

    @Test
    void theLifetimeIsConfigurable() {
        try (TestServer server = TestServer.withConfig(CONFIG + "server:\n  token-lifetime: 5m\n")) {
            StreamFixture.start(server, StreamFixture.DEMO_APP, "first");
            assertThat(TestServer.json(TokenRequests.grant(server, "reader", "secret")).path("expires_in").asLong())
                    .isEqualTo(300);
            String token = TokenRequests.accessToken(server, "reader", "secret");
            server.clock.advance(Duration.ofMinutes(5));

            try (StreamClient stream = StreamClient.request(server, "/api/1/stream/demo")
                    .header("Authorization", "Bearer " + token).open()) {
                assertStreamError(stream, 401, "invalid_token");
            }
        }
    }

    @Test
    void aTokenOfOneStreamCannotReadAnother() {
        try (TestServer server = TestServer.withConfig(CONFIG)) {
            StreamFixture.start(server, StreamFixture.DEMO_APP, "first");
            StreamFixture.start(server, StreamFixture.OTHER_APP, "first");
            String token = TokenRequests.accessToken(server, "other-reader", "secret");

            try (StreamClient stream = StreamClient.request(server, "/api/1/stream/demo")
                    .header("Authorization", "Bearer " + token).open()) {
                assertStreamError(stream, 403, "insufficient_scope");
            }
            try (StreamClient stream = StreamClient.request(server, "/api/1/stream/other")
                    .header("Authorization", "Bearer " + token).open()) {
                assertThat(stream.status()).isEqualTo(200);
            }
        }
    }

    @Test
    void anAlteredTokenIs401() {
        try (TestServer server = TestServer.withConfig(CONFIG)) {
            StreamFixture.start(server, StreamFixture.DEMO_APP, "first");
            String token = TokenRequests.accessToken(server, "reader", "secret");
            String[] parts = token.split("\\.");
            String otherClaims = TokenRequests.accessToken(server, "other-reader", "secret").split("\\.")[1];

            try (StreamClient stream = StreamClient.request(server, "/api/1/stream/demo")
                    .header("Authorization", "Bearer " + parts[0] + "." + otherClaims + "." + parts[2]).open()) {
                assertStreamError(stream, 401, "invalid_token");
            }
        }
    }

    @Test
    void staticTokensKeepWorkingBesideAccessTokens() {
        try (TestServer server = TestServer.withConfig(CONFIG)) {
            StreamFixture.start(server, StreamFixture.DEMO_APP, "first");

            try (StreamClient stream = StreamClient.get(server, "/api/1/stream/demo")) {
                assertThat(stream.status()).isEqualTo(200);
            }
        }
    }

    @Test
    void nodesSharingTheTokenSecretAcceptEachOthersTokens() {
        Map<String, String> shared = Map.of("CM_TOKEN_SECRET", "a-token-secret-of-at-least-32-bytes!");
        try (TestServer a = TestServer.withConfig(CONFIG, shared); TestServer b = TestServer.withConfig(CONFIG, shared);
             TestServer stranger = TestServer.withConfig(CONFIG)) {
            StreamFixture.start(b, StreamFixture.DEMO_APP, "first");
            StreamFixture.start(stranger, StreamFixture.DEMO_APP, "first");
            String token = TokenRequests.accessToken(a, "reader", "secret");

            try (StreamClient stream = StreamClient.request(b, "/api/1/stream/demo")
                    .header("Authorization", "Bearer " + token).open()) {
                assertThat(stream.status()).isEqualTo(200);
            }
            try (StreamClient stream = StreamClient.request(stranger, "/api/1/stream/demo")
                    .header("Authorization", "Bearer " + token).open()) {
                assertStreamError(stream, 401, "invalid_token");
            }
        }
    }

    @Test
    void nodesSharingTheIdSecretAcceptEachOthersTokens() {
        Map<String, String> shared = Map.of("CM_ID_SECRET", "an-id-secret-shared-by-nodes");
        try (TestServer a = TestServer.withConfig(CONFIG, shared); TestServer b = TestServer.withConfig(CONFIG, shared)) {
            StreamFixture.start(b, StreamFixture.DEMO_APP, "first");
            String token = TokenRequests.accessToken(a, "reader", "secret");

            try (StreamClient stream = StreamClient.request(b, "/api/1/stream/demo")
                    .header("Authorization", "Bearer " + token).open()) {
                assertThat(stream.status()).isEqualTo(200);
            }
        }
    }

    @Test
    void withoutAConfiguredSecretTheKeyIsGeneratedOwnerOnlyAndSurvivesARestart() throws Exception {
        // One embedded node, whatever store the suite runs on: the Redis store requires an id secret.
        Map<String, String> single = Map.of("CM_STORE", "embedded");
        java.nio.file.Path dataDir = Files.createTempDirectory("cm-test");
        String token;
        try (TestServer server = TestServer.withConfig(CONFIG, single, dataDir)) {
            token = TokenRequests.accessToken(server, "reader", "secret");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("token.key"))))
                    .isEqualTo("rw-------");
        }
        try (TestServer restarted = TestServer.withConfig(CONFIG, single, dataDir)) {
            StreamFixture.start(restarted, StreamFixture.DEMO_APP, "first");
            try (StreamClient stream = StreamClient.request(restarted, "/api/1/stream/demo")
                    .header("Authorization", "Bearer " + token).open()) {
                assertThat(stream.status()).isEqualTo(200);
            }
        }
    }
}
