package io.cm.bench;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Our server as an operating-system process of its own ({@code java -Xmx<heap> … io.cm.server.Main}
 * from this jar), so that a run can kill it for real; output appended to {@code server.log} in its
 * data directory.
 */
final class ServerJvm implements AutoCloseable {

    private final Process process;
    private final int port;
    private final double readySeconds;

    private ServerJvm(Process process, int port, double readySeconds) {
        this.process = process;
        this.port = port;
        this.readySeconds = readySeconds;
    }

    /** Launches the server on {@code dataDir} and returns once {@code /health} answers 200. */
    static ServerJvm start(Path dataDir, String heap, Map<String, String> env) throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Files.createDirectories(dataDir);
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx" + heap, "-cp",
                System.getProperty("java.class.path"), "io.cm.server.Main", "--port", Integer.toString(port),
                "--data-dir", dataDir.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("server.log").toFile()));
        builder.environment().putAll(env);
        long launched = System.nanoTime();
        Process process = builder.start();
        HttpClient http = HttpClient.newHttpClient();
        URI health = URI.create("http://127.0.0.1:" + port + "/health");
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited: " + Files.readString(dataDir.resolve("server.log")));
            }
            try {
                if (http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return new ServerJvm(process, port, (System.nanoTime() - launched) / 1e9);
                }
            } catch (ConnectException notYet) {
                // still starting
            }
            Thread.sleep(20);
        }
    }

    int port() {
        return port;
    }

    /** From launch to the first {@code /health} 200. */
    double readySeconds() {
        return readySeconds;
    }

    /** CPU the process has used so far, all its threads, in seconds. */
    double cpuSeconds() {
        return process.info().totalCpuDuration().map(d -> d.toMillis() / 1e3).orElse(Double.NaN);
    }

    /** SIGKILL: nothing runs in the server after it. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
