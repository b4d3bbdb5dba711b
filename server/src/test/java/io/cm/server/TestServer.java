package io.cm.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cm.core.ManualClock;
import io.cm.server.config.CommandLineOptions;
import io.cm.server.config.ConfigLoader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import javax.net.ssl.SSLSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** A server started for one test class, on a free port, with a clock the test moves, on the {@link TestStore}. */
public final class TestServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    public final ManualClock clock = new ManualClock();
    private final CmServer server;
    private final Path dataDir;
    private final HttpClient http;

    private TestServer(Optional<String> yaml, Map<String, String> env) {
        this(yaml, env, temporaryDirectory());
    }

    private TestServer(Optional<String> yaml, Map<String, String> env, Path dataDir) {
        this.dataDir = dataDir;
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (TestTls.enabled()) {
            client.sslContext(TestTls.trusting(TestTls.shared().certificate()));
            Map<String, String> withTls = new java.util.HashMap<>(TestTls.shared().environment());
            withTls.putAll(env);
            env = withTls;
        }
        this.http = client.build();
        try {
            Optional<Path> config = Optional.empty();
            if (yaml.isPresent()) {
                config = Optional.of(Files.writeString(dataDir.resolve("config.yaml"), yaml.get()));
            }
            server = CmServer.start(ConfigLoader.load(
                    new CommandLineOptions(config, OptionalInt.of(0), Optional.of(dataDir)),
                    TestStore.environment(env)), clock);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The built-in demo configuration. */
    public static TestServer demo() {
        return new TestServer(Optional.empty(), Map.of());
    }

    public static TestServer demo(Map<String, String> env) {
        return new TestServer(Optional.empty(), env);
    }

    /** The built-in demo configuration on {@code dataDir}, e.g. that of a server stopped before. */
    public static TestServer demo(Map<String, String> env, Path dataDir) {
        return new TestServer(Optional.empty(), env, dataDir);
    }

    public static TestServer withConfig(String yaml) {
        return new TestServer(Optional.of(yaml), Map.of());
    }

    /** A server with {@code yaml} as its config file and {@code env} as its environment (e.g. other engines). */
    public static TestServer withConfig(String yaml, Map<String, String> env) {
        return new TestServer(Optional.of(yaml), env);
    }

    /** A server on {@code dataDir}, e.g. that of a server stopped before: what a restart finds on disk. */
    public static TestServer withConfig(String yaml, Path dataDir) {
        return new TestServer(Optional.of(yaml), Map.of(), dataDir);
    }

    /** A server on {@code dataDir} with {@code env} as its environment. */
    public static TestServer withConfig(String yaml, Map<String, String> env, Path dataDir) {
        return new TestServer(Optional.of(yaml), env, dataDir);
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("cm-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    public int port() {
        return server.port();
    }

    /** https when the suite runs over TLS ({@link TestTls#enabled()}). */
    public URI uri(String path) {
        return URI.create((TestTls.enabled() ? "https" : "http") + "://127.0.0.1:" + server.port() + path);
    }

    /** A connected socket to the server's port, a TLS one (trusting the test certificate) when the suite runs over TLS. */
    public Socket socket() throws IOException {
        if (!TestTls.enabled()) return new Socket("127.0.0.1", server.port());
        SSLSocket socket = (SSLSocket) TestTls.trusting(TestTls.shared().certificate()).getSocketFactory()
                .createSocket("127.0.0.1", server.port());
        socket.startHandshake();
        return socket;
    }

    /** The plain-HTTP port beside HTTPS; the server must have been configured with one. */
    public int plainPort() {
        return server.plainPort().orElseThrow();
    }

    /** On the management port; the server must have been configured with one. */
    public URI managementUri(String path) {
        return URI.create("http://127.0.0.1:" + server.managementPort().orElseThrow() + path);
    }

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A request as {@code app} (empty password). */
    public HttpRequest.Builder as(String app, String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).header("Authorization", basic(app, ""));
    }

    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> post(String app, String path) {
        return send(as(app, path).POST(HttpRequest.BodyPublishers.noBody()));
    }

    public HttpResponse<String> delete(String app, String path) {
        return send(as(app, path).DELETE());
    }

    public HttpResponse<String> get(String app, String path) {
        return send(as(app, path).GET());
    }

    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
