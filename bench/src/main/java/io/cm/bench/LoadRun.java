package io.cm.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

/**
 * The headline table: in one run, one phase after the other at the same concurrency, {@code wrk} in
 * its own process against the bare 202 server (the machine's HTTP ceiling), then against our server
 * in its own JVM for inits and for heartbeats on the embedded store, the same on Redis when
 * {@code redis-server} is installed, and the bare server again. Every server is a fresh process on a
 * fresh data directory; heartbeats go to real sessions started through the API beforehand.
 *
 * <p>Arguments, all optional, as {@code key=value}: {@code connections} (64), {@code threads} of
 * wrk (2), {@code warmup} seconds per phase (20: on 2 cores a fresh JVM's JIT compilers take a
 * good part of the CPU for the first 10–20 s; the first phase gets 10 more), {@code duration}
 * seconds per phase (10), {@code sessions} for the heartbeat phases (10000), {@code large} a second
 * embedded heartbeat phase over that many sessions (0: none), {@code heap} of our server's JVM
 * (1g), {@code redis} (true; false skips the Redis phases), {@code jfr} (false; true records a
 * flight recording of our server per phase into the run's directory).
 */
public final class LoadRun {

    private static final String AUTH = "Basic ZGVtby1hcHA6"; // demo-app, empty password
    private static final String IDP = "bench";
    private static final Duration JVM_WARMUP = Duration.ofSeconds(10);

    private final Path dir;
    private final Wrk wrk;
    private final Duration warmup;
    private final Duration duration;
    private final String heap;
    private final boolean jfr;
    private final List<Row> rows = new ArrayList<>();

    private record Row(String phase, Wrk.Result result, String note) {
    }

    private LoadRun(Path dir, Wrk wrk, Duration warmup, Duration duration, String heap, boolean jfr) {
        this.dir = dir;
        this.wrk = wrk;
        this.warmup = warmup;
        this.duration = duration;
        this.heap = heap;
        this.jfr = jfr;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = BenchServer.options(args);
        if (!Wrk.installed()) {
            System.err.println("wrk is not installed: apt-get install wrk");
            System.exit(2);
        }
        int connections = Integer.parseInt(options.getOrDefault("connections", "64"));
        int threads = Integer.parseInt(options.getOrDefault("threads", "2"));
        Path dir = Files.createTempDirectory("cm-loadrun");
        LoadRun run = new LoadRun(dir, new Wrk(threads, connections, dir),
                Duration.ofSeconds(Long.parseLong(options.getOrDefault("warmup", "20"))),
                Duration.ofSeconds(Long.parseLong(options.getOrDefault("duration", "10"))),
                options.getOrDefault("heap", "1g"), Boolean.parseBoolean(options.getOrDefault("jfr", "false")));
        int sessions = Integer.parseInt(options.getOrDefault("sessions", "10000"));
        int large = Integer.parseInt(options.getOrDefault("large", "0"));
        boolean redis = Boolean.parseBoolean(options.getOrDefault("redis", "true")) && RedisProcess.installed();

        System.out.printf("machine: %d cores; load: wrk -t%d -c%d, closed loop, warm-up %d s, %d s per phase; "
                        + "our server: own JVM, -Xmx%s; run directory %s%n%n", Runtime.getRuntime().availableProcessors(),
                threads, connections, run.warmup.toSeconds(), run.duration.toSeconds(), run.heap, dir);

        run.bare("bare 202 POST", run.warmup.plus(JVM_WARMUP));
        run.ours("", Map.of(), sessions, Optional.empty());
        if (large > 0) run.heartbeats("heartbeat " + large, Map.of(), large, Optional.empty());
        if (redis) {
            try (RedisProcess server = RedisProcess.start(dir);
                 RedisCommandCount commands = RedisCommandCount.connect(server.url())) {
                Map<String, String> env = Map.of("CM_STORE", "redis", "CM_REDIS_URL", server.url(),
                        "CM_ID_SECRET", "bench-secret-shared-by-all-nodes");
                run.ours(" redis", env, sessions, Optional.of(new Measured(server.process(), commands)));
            }
        }
        run.bare("bare again", run.warmup);
        run.print();
        if (run.jfr) System.out.println("flight recordings kept in " + dir);
        else BenchServer.delete(dir);
    }

    /** A process besides our server that is part of the system under test, and how to count its commands. */
    private record Measured(ChildProcess process, RedisCommandCount commands) {
    }

    private void bare(String phase, Duration warm) {
        int port = ChildProcess.freePort();
        try (ChildProcess bare = ChildProcess.java("bare", List.of("-Xmx512m"), BareServer.class.getName(),
                List.of(Integer.toString(port)), Map.of(), port, dir)) {
            String url = "http://127.0.0.1:" + port;
            String script = constantPost("/v2/sessions/" + IDP + "/bare");
            wrk.run(url, script, warm, List.of(bare.pid()));
            rows.add(new Row(phase, wrk.run(url, script, duration, List.of(bare.pid())), ""));
        }
    }

    private void ours(String suffix, Map<String, String> env, int sessions, Optional<Measured> redis) throws Exception {
        try (ChildProcess server = server("init" + suffix, env)) {
            String url = "http://127.0.0.1:" + server.port();
            String script = initScript();
            wrk.run(url, script, warmup, pids(server, redis));
            redis.ifPresent(r -> r.commands().reset());
            Wrk.Result result = wrk.run(url, script, duration, pids(server, redis));
            rows.add(new Row("init" + suffix, result, commandsPerRequest(redis, result)));
        }
        heartbeats("heartbeat" + suffix, env, sessions, redis);
    }

    private void heartbeats(String phase, Map<String, String> env, int sessions, Optional<Measured> redis)
            throws Exception {
        try (ChildProcess server = server(phase, env)) {
            String url = "http://127.0.0.1:" + server.port();
            Path paths = dir.resolve("sessions-" + System.nanoTime() + ".txt");
            long started = System.nanoTime();
            Files.write(paths, startSessions(url, sessions));
            System.out.printf("%s: %d sessions started through the API in %.1f s%n", phase, sessions,
                    (System.nanoTime() - started) / 1e9);
            String script = heartbeatScript(paths);
            wrk.run(url, script, warmup, pids(server, redis));
            redis.ifPresent(r -> r.commands().reset());
            Wrk.Result result = wrk.run(url, script, duration, pids(server, redis));
            rows.add(new Row(phase, result, commandsPerRequest(redis, result)));
        }
    }

    private static List<Long> pids(ChildProcess server, Optional<Measured> redis) {
        List<Long> pids = new ArrayList<>(List.of(server.pid()));
        redis.ifPresent(r -> pids.add(r.process().pid()));
        return pids;
    }

    private static String commandsPerRequest(Optional<Measured> redis, Wrk.Result result) {
        return redis.map(r -> "Redis commands per request: " + r.commands().perRequest(result.requests())).orElse("");
    }

    /** Our server in its own JVM on a fresh data directory: the demo configuration, throttles raised. */
    private ChildProcess server(String phase, Map<String, String> env) throws IOException {
        int port = ChildProcess.freePort();
        Path data = Files.createDirectories(dir.resolve("data-" + phase.replace(' ', '-')));
        Map<String, String> environment = new HashMap<>(BenchServer.UNTHROTTLED);
        environment.putAll(env);
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + heap));
        if (jfr) {
            jvm.add("-XX:StartFlightRecording=settings=profile,filename="
                    + dir.resolve(phase.replace(' ', '-') + ".jfr"));
        }
        return ChildProcess.java("server " + phase, jvm, "io.cm.server.Main",
                List.of("--port", Integer.toString(port), "--data-dir", data.toString()), environment, port, dir);
    }

    /**
     * Starts {@code count} sessions, each for its own subject, and returns their heartbeat paths. A
     * 503 (a cold server's first Redis calls may time out) is retried: this prepares, it does not measure.
     */
    private static List<String> startSessions(String url, int count) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        Semaphore inFlight = new Semaphore(64);
        ConcurrentLinkedQueue<String> paths = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<Void>> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String subject = "/v2/sessions/" + IDP + "/hb-" + i;
            inFlight.acquire();
            all.add(start(http, URI.create(url + subject), 10)
                    .thenAccept(id -> paths.add(subject + "/" + id))
                    .whenComplete((done, failure) -> inFlight.release()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        return List.copyOf(paths);
    }

    private static CompletableFuture<String> start(HttpClient http, URI uri, int attempts) {
        HttpRequest init = HttpRequest.newBuilder(uri).header("Authorization", AUTH)
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        return http.sendAsync(init, HttpResponse.BodyHandlers.discarding()).thenCompose(response -> {
            if (response.statusCode() == 503 && attempts > 1) return start(http, uri, attempts - 1);
            if (response.statusCode() != 202) {
                throw new IllegalStateException("init " + uri.getPath() + " answered " + response.statusCode());
            }
            return CompletableFuture.completedFuture(response.headers().firstValue("Location").orElseThrow());
        });
    }

    /** Gives each wrk thread's Lua state its number as {@code id}. */
    private static final String THREAD_IDS = """
            local threads = 0
            function setup(thread)
              thread:set("id", threads)
              threads = threads + 1
            end
            """;

    private static String constantPost(String path) {
        return """
                wrk.method = "POST"
                wrk.path = "%s"
                wrk.headers["Authorization"] = "%s"
                """.formatted(path, AUTH);
    }

    /** Every request a new subject, so that every init is admitted and writes a session. */
    private static String initScript() {
        return THREAD_IDS + """
                local prefix
                local counter = 0
                local headers = { ["Authorization"] = "%s" }
                function init(args)
                  math.randomseed(os.time() + id)
                  prefix = "/v2/sessions/%s/i" .. id .. "-" .. math.random(1, 1000000000) .. "-"
                end
                function request()
                  counter = counter + 1
                  return wrk.format("POST", prefix .. counter, headers)
                end
                """.formatted(AUTH, IDP);
    }

    /** Round robin over the sessions in {@code paths}, each wrk thread from its own offset. */
    private static String heartbeatScript(Path paths) {
        return THREAD_IDS + """
                local paths = {}
                local next = 0
                local headers = { ["Authorization"] = "%s" }
                function init(args)
                  for line in io.lines("%s") do paths[#paths + 1] = line end
                  next = id * 7919
                end
                function request()
                  next = next + 1
                  return wrk.format("POST", paths[(next %% #paths) + 1], headers)
                end
                """.formatted(AUTH, paths);
    }

    private void print() {
        double bare = rows.getFirst().result().perSecond();
        System.out.printf("%n%-22s %10s %10s %7s %8s %8s %8s %7s %7s%n", "phase", "requests", "req/s", "× bare",
                "p50 ms", "p99 ms", "non-2xx", "errors", "others");
        for (Row row : rows) {
            Wrk.Result r = row.result();
            System.out.printf("%-22s %10d %10.0f %7.2f %8.2f %8.2f %8d %7d %7.2f%n", row.phase(), r.requests(),
                    r.perSecond(), r.perSecond() / bare, r.p50Millis(), r.p99Millis(), r.non2xx(), r.socketErrors(),
                    r.otherCores());
        }
        System.out.println();
        for (Row row : rows) if (!row.note().isEmpty()) System.out.println(row.phase() + ": " + row.note());
        System.out.println("\nothers: cores used meanwhile by processes other than the server under test, "
                + "Redis and wrk (a high value means the phase was disturbed).");
    }
}
