package io.cm.server.tls;

import io.cm.server.TestServer;
import io.cm.server.TestTls;
import io.cm.server.config.ConfigException;
import io.cm.server.ops.StartupFailure;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** HTTPS on the public port from the PEM files of {@code tls.cert} and {@code tls.key}, and plain HTTP beside it. */
class HttpsTest {

    @Test
    void thePublicPortServesHttpsWithTheConfiguredCertificate() throws Exception {
        TestTls.Pem pem = TestTls.generate(TestTls.temporaryDirectory(), "server");
        try (TestServer server = TestServer.demo(pem.environment())) {
            HttpClient client = HttpClient.newBuilder().sslContext(TestTls.trusting(pem.certificate())).build();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + server.port() + "/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.sslSession().orElseThrow().getPeerCertificates()[0]).isEqualTo(pem.certificate());
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefusedTheHandshake() {
        TestTls.Pem pem = TestTls.generate(TestTls.temporaryDirectory(), "server");
        TestTls.Pem stranger = TestTls.generate(TestTls.temporaryDirectory(), "stranger");
        try (TestServer server = TestServer.demo(pem.environment())) {
            HttpClient client = HttpClient.newBuilder().sslContext(TestTls.trusting(stranger.certificate())).build();

            assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + server.port() + "/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void aPlainPortServesTheSameRoutesOverHttpBesideHttps() throws Exception {
        TestTls.Pem pem = TestTls.generate(TestTls.temporaryDirectory(), "server");
        Map<String, String> env = new HashMap<>(pem.environment());
        env.put("CM_TLS_PLAIN_PORT", "0");
        try (TestServer server = TestServer.demo(env)) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.plainPort() + "/v2/metadata"))
                    .header("Authorization", TestServer.basic("demo-app-2", "")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("[\"channel\"]");
        }
    }

    @Test
    void anUnreadableCertificateStopsTheStartNamingTheFile() {
        Path dir = TestTls.temporaryDirectory();
        Map<String, String> env = Map.of("CM_TLS_CERT", dir.resolve("missing.crt").toString(),
                "CM_TLS_KEY", dir.resolve("missing.key").toString());

        assertThatThrownBy(() -> TestServer.demo(env)).isInstanceOf(StartupFailure.class)
                .hasMessageContaining("tls.cert").hasMessageContaining("missing.crt");
    }

    @Test
    void aCertificateWithoutAKeyIsABadConfiguration() {
        TestTls.Pem pem = TestTls.generate(TestTls.temporaryDirectory(), "server");

        assertThatThrownBy(() -> TestServer.demo(Map.of("CM_TLS_CERT", pem.cert().toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tls.key");
    }
}
