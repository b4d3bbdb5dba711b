package io.cm.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A {@code redis-server} (Debian package) for a run, on a free port, without persistence. */
final class RedisProcess implements AutoCloseable {

    private final ChildProcess process;

    private RedisProcess(ChildProcess process) {
        this.process = process;
    }

    static boolean installed() {
        try {
            Process probe = new ProcessBuilder("redis-server", "--version").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static RedisProcess start(Path dir) {
        int port = ChildProcess.freePort();
        return new RedisProcess(ChildProcess.start("redis", List.of("redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()), Map.of(), port, dir));
    }

    String url() {
        return "redis://127.0.0.1:" + process.port();
    }

    ChildProcess process() {
        return process;
    }

    @Override
    public void close() {
        process.close();
    }
}
