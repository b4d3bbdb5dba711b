package io.cm.client;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

/**
 * A real server, started from the server module for the client's tests, with a clock the test moves.
 * It runs in a JVM of its own (the server needs Java 21; these tests also run on 17): one host process,
 * {@code io.cm.client.host.TestServerHost}, started on first use and serving every test class, ends
 * with this JVM. The host's JDK and classes are given by the build ({@code cm.server-host.*}).
 */
final class RealServer implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final int port;

    private RealServer(int port) {
        this.port = port;
    }

    /** A server on the built-in demo configuration (SPEC §4). */
    static RealServer demo() {
        return new RealServer(Integer.parseInt(Host.INSTANCE.ask("start demo").replace("port ", "")));
    }

    /** A server on the YAML configuration {@code yaml}. */
    static RealServer withConfig(String yaml) {
        String encoded = Base64.getEncoder().encodeToString(yaml.getBytes(StandardCharsets.UTF_8));
        return new RealServer(Integer.parseInt(Host.INSTANCE.ask("start config " + encoded).replace("port ", "")));
    }

    int port() {
        return port;
    }

    /** Moves the server's clock (only the server's: a test's scheduler moves the client's). */
    void advanceClock(Duration by) {
        Host.INSTANCE.ask("advance " + port + " " + by.toMillis());
    }

    /** A request as {@code app} (empty password), outside the client library. */
    HttpResponse<String> post(String app, String path) {
        return send(request(app, path).POST(HttpRequest.BodyPublishers.noBody()));
    }

    HttpResponse<String> get(String app, String path) {
        return send(request(app, path).GET());
    }

    private HttpRequest.Builder request(String app, String path) {
        String basic = Base64.getEncoder().encodeToString((app + ":").getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Basic " + basic);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        Host.INSTANCE.ask("stop " + port);
    }

    /** The host process, one per test JVM; its standard input closing (this JVM ending) ends it. */
    private static final class Host {
        static final Host INSTANCE = new Host();

        private final Process process;
        private final PrintStream commands;
        private final BufferedReader answers;

        private Host() {
            String javaHome = required("cm.server-host.java-home");
            String classpath = System.getProperty("java.class.path") + File.pathSeparator
                    + required("cm.server-host.classes");
            try {
                process = new ProcessBuilder(Path.of(javaHome, "bin", "java").toString(), "-cp", classpath,
                        "io.cm.client.host.TestServerHost")
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the test server host with " + javaHome, e);
            }
            commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
            answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            Runtime.getRuntime().addShutdownHook(new Thread(commands::close));
        }

        private static String required(String property) {
            String value = System.getProperty(property);
            if (value == null) throw new IllegalStateException("system property " + property + " is not set (client/pom.xml sets it)");
            return value;
        }

        /** Sends {@code command} and returns its answer, without the marker; a refusal throws. */
        synchronized String ask(String command) {
            commands.println(command);
            try {
                for (String line = answers.readLine(); line != null; line = answers.readLine()) {
                    if (!line.startsWith("@cm ")) continue; // not an answer: something the host printed
                    String answer = line.substring(4);
                    if (answer.startsWith("error ")) throw new IllegalStateException(command + ": " + answer);
                    return answer;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw new IllegalStateException("the test server host ended (exit " + exitValue() + ") before answering " + command);
        }

        private String exitValue() {
            try {
                return Integer.toString(process.waitFor());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "unknown";
            }
        }
    }
}
