package io.cm.server.ops;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's two commands on a fresh machine: {@code bin/test} installs what the tests need
 * (apt-get, through sudo when not root) and {@code .ci/run} only calls it; {@code bin/start}
 * rebuilds the jar when a source is newer. The scripts run in a copy of the repository whose
 * Maven wrapper, JDK, apt-get, sudo and id are stand-ins that record how they were called.
 */
class BinScriptsTest {

    @TempDir
    Path repo;

    private Path calls;
    private Path tools;

    @BeforeEach
    void copyTheScriptsBesideStandIns() throws IOException {
        Path source = repositoryRoot();
        for (String script : List.of("bin/start", "bin/test", "bin/jdk.sh", ".ci/run")) {
            Files.createDirectories(repo.resolve(script).getParent());
            Files.copy(source.resolve(script), repo.resolve(script));
        }
        calls = repo.resolve("calls.log");
        Files.createDirectories(repo.resolve("server/src/main/java"));
        Files.writeString(repo.resolve("pom.xml"), "<project/>");
        Files.writeString(repo.resolve("server/src/main/java/A.java"), "class A {}");
        executable(repo.resolve("mvnw"), """
                echo "mvnw $*" >> calls.log
                mkdir -p server/target && touch server/target/cm-server.jar
                """);
        Path jdk = repo.resolve("jdk/bin");
        executable(jdk.resolve("javac"), "true");
        executable(jdk.resolve("java"), """
                case "$*" in *XshowSettings*) echo "    java.specification.version = 21" >&2 ;;
                             *) echo "java $*" >> calls.log ;; esac
                """);
        tools = Files.createDirectories(repo.resolve("tools"));
        for (String tool : List.of("bash", "dirname", "readlink", "sed", "find", "mkdir", "touch", "cat")) {
            Files.copy(Path.of("/usr/bin", tool), tools.resolve(tool), StandardCopyOption.COPY_ATTRIBUTES);
        }
        executable(tools.resolve("apt-get"), "echo \"apt-get $*\" >> calls.log");
        executable(tools.resolve("sudo"), "echo \"sudo $*\" >> calls.log; \"$@\"");
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.exists(dir.resolve("bin/start"))) dir = dir.getParent();
        return dir;
    }

    private static void executable(Path file, String body) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/usr/bin/env bash\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private void runAs(int uid, String script, String... args) throws Exception {
        executable(tools.resolve("id"), "echo " + uid);
        List<String> command = new java.util.ArrayList<>(List.of(tools.resolve("bash").toString(), script));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(Map.of("PATH", tools.toString(), "JAVA_HOME", repo.resolve("jdk").toString()));
        Process process = builder.start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
    }

    private List<String> calls() throws IOException {
        List<String> lines = Files.exists(calls) ? Files.readAllLines(calls) : List.of();
        Files.deleteIfExists(calls);
        return lines;
    }

    @Test
    void startBuildsTheJarWhenItIsMissingOrOlderThanASourceAndElseRunsItAsItIs() throws Exception {
        runAs(0, "bin/start", "--version");
        assertThat(calls()).containsExactly("mvnw -B -q --no-transfer-progress -DskipTests -pl server -am package",
                "java -jar server/target/cm-server.jar --version");

        runAs(0, "bin/start", "--port", "9000");
        assertThat(calls()).containsExactly("java -jar server/target/cm-server.jar --port 9000");

        Files.setLastModifiedTime(repo.resolve("server/src/main/java/A.java"), FileTime.from(Instant.now().plusSeconds(60)));
        runAs(0, "bin/start");
        assertThat(calls()).containsExactly("mvnw -B -q --no-transfer-progress -DskipTests -pl server -am package",
                "java -jar server/target/cm-server.jar");
    }

    @Test
    void testInstallsWhatIsMissingThroughSudoWhenNotRootThenRunsEveryTest() throws Exception {
        runAs(1000, "bin/test");
        assertThat(calls()).containsExactly("sudo apt-get update -qq", "apt-get update -qq",
                "sudo apt-get install -y -qq redis-server chromium chromium-driver",
                "apt-get install -y -qq redis-server chromium chromium-driver",
                "mvnw -B --no-transfer-progress verify -Pimage -Djib.from.image=scratch");
    }

    @Test
    void testInstallsOnlyWhatIsMissingAndAsRootWithoutSudo() throws Exception {
        executable(tools.resolve("redis-server"), "true");
        runAs(0, "bin/test");
        assertThat(calls()).containsExactly("apt-get update -qq", "apt-get install -y -qq chromium chromium-driver",
                "mvnw -B --no-transfer-progress verify -Pimage -Djib.from.image=scratch");
    }

    @Test
    void ciRunsTheReadmesTestCommandAndNothingElse() throws Exception {
        for (String tool : List.of("redis-server", "chromium", "chromedriver")) executable(tools.resolve(tool), "true");
        runAs(0, ".ci/run");
        assertThat(calls()).containsExactly("mvnw -B --no-transfer-progress verify -Pimage -Djib.from.image=scratch");
    }
}
