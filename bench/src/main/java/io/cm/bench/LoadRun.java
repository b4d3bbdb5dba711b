package io.cm.bench;

import io.cm.server.CmServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One run, phases at the same concurrency: the bare 202 server (the machine's HTTP ceiling), our
 * server (in-process, demo configuration, throttles raised) for inits and for heartbeats on the
 * embedded store (and on Redis when given), and the bare server again.
 *
 * <p>Arguments, all optional, as {@code key=value}: {@code connections} (64), {@code warmup}
 * seconds per phase (5; the first phase gets 10 more to warm the JVM), {@code duration} seconds
 * per phase (10), {@code sessions} pre-created for the heartbeat phase (10000), {@code clientThreads}
 * event loops of the load generator (cores), {@code redis} the URL of a Redis server: then init and
 * heartbeat run a second time on the Redis store, and the Redis commands per request are printed.
 */
public final class LoadRun {

    private static final String IDP = "bench";
    private static final Duration JVM_WARMUP = Duration.ofSeconds(10);
    private LoadRun() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = BenchServer.options(args);
        int connections = Integer.parseInt(options.getOrDefault("connections", "64"));
        Duration warmup = Duration.ofSeconds(Long.parseLong(options.getOrDefault("warmup", "5")));
        Duration duration = Duration.ofSeconds(Long.parseLong(options.getOrDefault("duration", "10")));
        int sessions = Integer.parseInt(options.getOrDefault("sessions", "10000"));
        int cores = Runtime.getRuntime().availableProcessors();
        int clientThreads = Integer.parseInt(options.getOrDefault("clientThreads", String.valueOf(cores)));

        System.out.printf("machine: %d cores, %s %s, max heap %d MiB%n", cores, System.getProperty("java.vm.name"),
                Runtime.version(), Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("load: %d connections, closed loop, %d client event loops, warm-up %d s, %d s per phase, "
                + "%d heartbeat sessions%n%n", connections, clientThreads, warmup.toSeconds(), duration.toSeconds(), sessions);

        try (EventLoops generator = EventLoops.start(clientThreads)) {
            // The first phase also warms the JVM (the generator's code is shared by all phases): a longer warm-up.
            PhaseResult bareBefore = bare(generator, "bare 202 POST", connections, warmup.plus(JVM_WARMUP), duration);

            List<PhaseResult> ours = new ArrayList<>(ourPhases(generator, "", Map.of(), connections, warmup,
                    duration, sessions, Optional.empty()));
            Optional<String> redisUrl = Optional.ofNullable(options.get("redis"));
            if (redisUrl.isPresent()) {
                Map<String, String> redis = Map.of("CM_STORE", "redis", "CM_REDIS_URL", redisUrl.get(),
                        "CM_ID_SECRET", "bench-secret-shared-by-all-nodes");
                try (RedisCommandCount commands = RedisCommandCount.connect(redisUrl.get())) {
                    ours.addAll(ourPhases(generator, " redis", redis, connections, warmup, duration, sessions,
                            Optional.of(commands)));
                }
            }
            // The ceiling again at the end: on a shared machine, a drift between the two shows the run was disturbed.
            PhaseResult bareAfter = bare(generator, "bare again", connections, warmup, duration);
            ResultTable.print(System.out, List.of(bareBefore, bareAfter), ours);
        }
    }

    /**
     * Inits, then heartbeats, against our server on the store {@code env} selects; names end with
     * {@code suffix}. With {@code commands}, also prints the Redis commands each request cost.
     */
    private static List<PhaseResult> ourPhases(EventLoops generator, String suffix, Map<String, String> env,
                                               int connections, Duration warmup, Duration duration, int sessions,
                                               Optional<RedisCommandCount> commands) throws Exception {
        List<PhaseResult> results = new ArrayList<>();
        Path dataDir = Files.createTempDirectory("cm-bench");
        HttpClientAgent client = client(generator.vertx(), connections);
        try (CmServer server = BenchServer.start(dataDir, env)) {
            Poster poster = new Poster(client, server.port());
            // A new subject per init: the demo policy allows 3 streams per subject, so each is permitted.
            String run = Long.toString(System.nanoTime(), 36);
            AtomicLong subjects = new AtomicLong();
            results.add(phase(generator, "init" + suffix, commands, () -> poster.post(
                    "/v2/sessions/" + IDP + "/init-" + run + "-" + subjects.incrementAndGet() + "?deviceId=tv"),
                    connections, warmup, duration));

            List<String> paths = startSessions(generator, poster, run, sessions, connections);
            AtomicLong beats = new AtomicLong();
            results.add(phase(generator, "heartbeat" + suffix, commands, () -> poster.post(
                    paths.get((int) (beats.getAndIncrement() % paths.size()))), connections, warmup, duration));
        } finally {
            client.close().await();
            BenchServer.delete(dataDir);
        }
        return results;
    }

    /** One closed-loop phase; with {@code commands}, prints the Redis commands per request over all its requests. */
    private static PhaseResult phase(EventLoops generator, String name, Optional<RedisCommandCount> commands,
                                     Supplier<Future<Poster.Reply>> call, int connections, Duration warmup,
                                     Duration duration) throws InterruptedException {
        AtomicLong requests = new AtomicLong();
        commands.ifPresent(RedisCommandCount::reset);
        PhaseResult result = ClosedLoop.run(generator, name, () -> {
            requests.incrementAndGet();
            return call.get();
        }, connections, warmup, duration);
        commands.ifPresent(count -> System.out.printf("%s: Redis commands per request: %s%n", name,
                count.perRequest(requests.get())));
        return result;
    }

    private static PhaseResult bare(EventLoops generator, String name, int connections, Duration warmup,
                                    Duration duration) throws Exception {
        HttpClientAgent client = client(generator.vertx(), connections);
        try (BareServer server = BareServer.start(freePort())) {
            Poster poster = new Poster(client, server.port());
            return ClosedLoop.run(generator, name, () -> poster.post("/anything"), connections, warmup, duration);
        } finally {
            client.close().await();
        }
    }

    /** One pooled connection per loop, each on the event loop of the loop using it; a fresh pool per server. */
    private static HttpClientAgent client(Vertx vertx, int connections) {
        return vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(connections));
    }

    /** Starts one session per subject, {@code concurrency} at a time, and returns each one's heartbeat path. */
    private static List<String> startSessions(EventLoops eventLoops, Poster poster, String run, int count,
                                              int concurrency)
            throws TimeoutException {
        String[] paths = new String[count];
        AtomicInteger nextIndex = new AtomicInteger();
        List<Future<Void>> loops = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            Promise<Void> done = Promise.promise();
            eventLoops.context(i).runOnContext(ignored ->
                    startFrom(poster, run, paths, nextIndex).onComplete(done));
            loops.add(done.future());
        }
        Future.all(loops).await(5, TimeUnit.MINUTES);
        return List.of(paths);
    }

    private static Future<Void> startFrom(Poster poster, String run, String[] paths, AtomicInteger nextIndex) {
        int i = nextIndex.getAndIncrement();
        if (i >= paths.length) return Future.succeededFuture();
        String base = "/v2/sessions/" + IDP + "/hb-" + run + "-" + i;
        return poster.post(base + "?deviceId=tv").compose(reply -> {
            if (!reply.ok()) return Future.failedFuture("init for heartbeats answered " + reply.status());
            // The spec's Location is the bare session id; a full path is accepted too.
            String location = reply.location();
            paths[i] = location.startsWith("/") ? location : base + "/" + location;
            return startFrom(poster, run, paths, nextIndex);
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
