package io.cm.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC §12: a server that cannot start says why in one line on standard error and exits with status
 * 2, never with a stack trace. {@link Main} runs in this JVM with its output captured; the Redis
 * case, whose client library logs on its own threads, runs as a process of its own, as an operator
 * would start it.
 */
class StartupErrorsTest {

    @TempDir
    Path dir;

    private record Run(int status, String output) {
    }

    /** {@link Main} in this JVM, with {@code env} as its environment; only for runs that end. */
    private static Run run(Map<String, String> env, String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            return new Run(new CommandLine(new Main(env)).execute(args), captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static Run runProcess(Map<String, String> env, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        boolean ended = process.waitFor(60, TimeUnit.SECONDS);
        if (!ended) process.destroyForcibly();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ended).as("the server should have stopped: %s", output).isTrue();
        return new Run(process.exitValue(), output);
    }

    private static void assertOneLineFailure(Run run, String expected) {
        assertThat(run.status()).as(run.output()).isEqualTo(2);
        List<String> errorLines = run.output().lines().filter(line -> line.startsWith("cm-server:")).toList();
        assertThat(errorLines).as(run.output()).hasSize(1);
        assertThat(errorLines.getFirst()).contains(expected);
        assertThat(run.output()).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception in thread");
    }

    private String dataDir() {
        return dir.resolve("data").toString();
    }

    @Test
    void versionPrintsTheBuildVersion() {
        Run run = run(Map.of(), "--version");

        assertThat(run.status()).isZero();
        assertThat(run.output().strip()).matches("cm-server \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    @Test
    void anIdSecretShorterThan16BytesIsRefused() {
        assertOneLineFailure(run(Map.of("CM_ID_SECRET", "too-short"), "--port", "0", "--data-dir", dataDir()),
                "at least 16 bytes");
    }

    @Test
    void aPortInUseIsNamed() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Run run = run(Map.of(), "--host", "127.0.0.1", "--port", Integer.toString(taken.getLocalPort()),
                    "--data-dir", dataDir());
            assertOneLineFailure(run, "cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": Address already in use");
        }
    }

    @Test
    void anUnreachableRedisIsNamed() throws Exception {
        int closedPort;
        try (ServerSocket free = new ServerSocket(0)) {
            closedPort = free.getLocalPort();
        }
        Run run = runProcess(Map.of("CM_STORE", "redis", "CM_REDIS_URL", "redis://127.0.0.1:" + closedPort,
                "CM_ID_SECRET", "a-shared-secret-of-enough-bytes"), "--port", "0", "--data-dir", dataDir());
        assertOneLineFailure(run, "Cannot connect to Redis at 127.0.0.1:" + closedPort);
    }

    @Test
    void aDataDirectoryThatCannotBeCreatedIsNamedWithoutBlamingAnotherServer() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "");
        Run run = run(Map.of(), "--port", "0", "--data-dir", file.resolve("data").toString());
        assertOneLineFailure(run, "cannot create the data directory " + file.resolve("data"));
        assertThat(run.output()).contains("exists and is not a directory").doesNotContain("another server");
    }

    @Test
    void aDataDirectoryThatIsNotWritableIsRefused() throws Exception {
        Path readOnly = unwritableDirectory();
        Run run = run(Map.of(), "--port", "0", "--data-dir", readOnly.toString());
        assertOneLineFailure(run, "data directory " + readOnly + " is not writable");
    }

    @Test
    void aBadConfigurationIsRefusedTheSameWay() throws Exception {
        Path config = Files.writeString(dir.resolve("cm.yaml"), "http:\n  max-connections: 0\n");
        assertOneLineFailure(run(Map.of(), "--config", config.toString(), "--data-dir", dataDir()),
                "http.max-connections must be at least 1");
    }

    /**
     * A directory this process cannot create files in. Permission bits do not stop root, which CI
     * runs as; procfs refuses new files to everyone.
     */
    private Path unwritableDirectory() throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            Path readOnly = Files.createDirectory(dir.resolve("read-only"));
            assertThat(readOnly.toFile().setWritable(false, false)).isTrue();
            return readOnly;
        }
        Path proc = Path.of("/proc/self");
        assertThat(proc).as("procfs").isDirectory();
        return proc;
    }
}
