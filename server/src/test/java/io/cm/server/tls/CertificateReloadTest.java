package io.cm.server.tls;

import io.cm.server.TestServer;
import io.cm.server.TestTls;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Certificate rotation: when the PEM files change on disk, new connections get the new certificate
 * without a restart, and connections already open go on with theirs.
 */
class CertificateReloadTest {

    private static final long PATIENCE_NANOS = 20_000_000_000L;

    @Test
    void aCertificateReplacedOnDiskIsServedToNewConnectionsWithoutARestart() throws Exception {
        Path dir = TestTls.temporaryDirectory();
        TestTls.Pem first = TestTls.generate(dir, "first");
        TestTls.Pem second = TestTls.generate(TestTls.temporaryDirectory(), "second");
        Map<String, String> env = new HashMap<>(first.environment());
        env.put("CM_TLS_RELOAD_CHECK", "100ms");
        try (TestServer server = TestServer.demo(env)) {
            X509Certificate[] both = {first.certificate(), second.certificate()};
            try (SSLSocket before = connect(server, both)) {
                assertThat(peer(before)).isEqualTo(first.certificate());

                first.replaceWith(second);

                long deadline = System.nanoTime() + PATIENCE_NANOS;
                Certificate served;
                do {
                    try (SSLSocket fresh = connect(server, both)) {
                        served = peer(fresh);
                    }
                } while (!served.equals(second.certificate()) && System.nanoTime() < deadline);
                assertThat(served).as("certificate of a new connection").isEqualTo(second.certificate());

                assertThat(liveAnswer(before)).as("the connection opened before goes on").startsWith("HTTP/1.1 200");
                assertThat(peer(before)).isEqualTo(first.certificate());
            }
        }
    }

    private static SSLSocket connect(TestServer server, X509Certificate[] trusted) throws IOException {
        SSLSocket socket = (SSLSocket) TestTls.trusting(trusted).getSocketFactory().createSocket("127.0.0.1", server.port());
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }

    private static Certificate peer(SSLSocket socket) {
        try {
            return socket.getSession().getPeerCertificates()[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The status line of {@code GET /health/live} on {@code socket}. */
    private static String liveAnswer(SSLSocket socket) throws IOException {
        socket.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        StringBuilder line = new StringBuilder();
        for (int b = socket.getInputStream().read(); b >= 0 && b != '\r'; b = socket.getInputStream().read()) {
            line.append((char) b);
        }
        return line.toString();
    }
}
