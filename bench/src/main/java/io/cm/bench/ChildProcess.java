package io.cm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * A process a run starts beside itself — our server, the bare server, Redis — so that each runs in
 * its own JVM or binary as in production, and the load generator in yet another. Its output goes
 * to a log file; {@link #cpuTicks} reads what it has used from {@code /proc}.
 */
final class ChildProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;

    private ChildProcess(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** This bench jar's class {@code mainClass} in a new JVM with {@code jvmOptions}. */
    static ChildProcess java(String name, List<String> jvmOptions, String mainClass, List<String> args,
                             Map<String, String> env, int port, Path logDir) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        return start(name, command, env, port, logDir);
    }

    /** Starts {@code command} and returns once something accepts connections on {@code port}. */
    static ChildProcess start(String name, List<String> command, Map<String, String> env, int port, Path logDir) {
        Path log = logDir.resolve(name.replace(' ', '-') + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        try {
            ChildProcess child = new ChildProcess(name, builder.start(), port, log);
            child.awaitListening();
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    private void awaitListening() throws IOException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        close();
        throw new IllegalStateException(name + " did not listen on " + port + " within " + START_TIMEOUT);
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** User + system clock ticks this process has used so far, if {@code /proc} tells. */
    OptionalLong cpuTicks() {
        return cpuTicks(process.pid());
    }

    static OptionalLong cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return OptionalLong.of(Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
        } catch (IOException | RuntimeException gone) {
            return OptionalLong.empty();
        }
    }

    /** SIGKILL, and waits for the process to be gone. */
    void kill() {
        process.destroyForcibly();
        await();
    }

    /** SIGTERM, and waits for the process to exit; returns its exit code. */
    int terminate() {
        process.destroy();
        return await();
    }

    private int await() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM, so that a flight recording is written; SIGKILL if it does not exit in time. */
    @Override
    public void close() {
        if (process.isAlive()) terminate();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
