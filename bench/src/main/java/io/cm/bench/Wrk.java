package io.cm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load generator: {@code wrk} (Debian package {@code wrk}) in its own process, driven by a Lua
 * script this run writes, its report parsed. Closed loop: each connection sends its next request
 * when the previous one is answered.
 */
final class Wrk {

    /** What one wrk run reports, and the CPU the processes of the run used meanwhile. */
    record Result(long requests, double seconds, double perSecond, double p50Millis, double p99Millis,
                  long non2xx, long socketErrors, double otherCores) {
    }

    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m)");
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|99)%\\s+([\\d.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    private final int threads;
    private final int connections;
    private final Path workDir;

    Wrk(int threads, int connections, Path workDir) {
        this.threads = threads;
        this.connections = connections;
        this.workDir = workDir;
    }

    /** Whether {@code wrk} can be run here. */
    static boolean installed() {
        try {
            Process probe = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            probe.waitFor(10, TimeUnit.SECONDS);
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Runs {@code script} (Lua, see wrk's SCRIPTING) against {@code url} for {@code duration}.
     * {@code measured} are the processes whose CPU is part of the system under test (the server,
     * Redis); wrk's own is counted too (a reaped child), and what the machine used besides is reported
     * as other cores.
     */
    Result run(String url, String script, Duration duration, List<Long> measured) {
        Path lua = workDir.resolve("wrk-" + System.nanoTime() + ".lua");
        try {
            Files.writeString(lua, script, StandardCharsets.UTF_8);
            Process wrk = new ProcessBuilder("wrk", "-t" + threads, "-c" + connections, "-d" + duration.toSeconds() + "s",
                    "--latency", "--timeout", "10s", "-s", lua.toString(), url).redirectErrorStream(true).start();
            Optional<OtherCpu.Mark> before = OtherCpu.mark(measured);
            String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (wrk.waitFor() != 0) throw new IllegalStateException("wrk failed: " + output);
            return parse(output, OtherCpu.coresBetween(before, OtherCpu.mark(measured)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            try {
                Files.deleteIfExists(lua);
            } catch (IOException ignored) {
                // a leftover script in the run's temporary directory
            }
        }
    }

    static Result parse(String output, double otherCores) {
        Matcher requests = find(REQUESTS, output);
        double seconds = Double.parseDouble(requests.group(2)) * switch (requests.group(3)) {
            case "us" -> 1e-6;
            case "ms" -> 1e-3;
            case "m" -> 60;
            default -> 1;
        };
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher percentile = PERCENTILE.matcher(output);
        while (percentile.find()) {
            double millis = Double.parseDouble(percentile.group(2)) * switch (percentile.group(3)) {
                case "us" -> 1e-3;
                case "s" -> 1e3;
                default -> 1;
            };
            if (percentile.group(1).equals("50")) p50 = millis;
            else p99 = millis;
        }
        Matcher non2xx = NON_2XX.matcher(output);
        Matcher errors = SOCKET_ERRORS.matcher(output);
        long socketErrors = 0;
        if (errors.find()) {
            for (int g = 1; g <= 4; g++) socketErrors += Long.parseLong(errors.group(g));
        }
        return new Result(Long.parseLong(requests.group(1)), seconds,
                Double.parseDouble(find(RATE, output).group(1)), p50, p99,
                non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, socketErrors, otherCores);
    }

    private static Matcher find(Pattern pattern, String output) {
        Matcher matcher = pattern.matcher(output);
        if (!matcher.find()) throw new IllegalStateException("unexpected wrk output: " + output);
        return matcher;
    }

    /** CPU ticks of {@code pids} summed, as far as {@code /proc} tells. */
    static long ticks(List<Long> pids) {
        long sum = 0;
        for (long pid : pids) {
            OptionalLong ticks = ChildProcess.cpuTicks(pid);
            if (ticks.isPresent()) sum += ticks.getAsLong();
        }
        return sum;
    }
}
