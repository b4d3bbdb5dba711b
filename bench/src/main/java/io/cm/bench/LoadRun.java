package io.cm.bench;

import io.cm.server.CmServer;
import io.cm.server.config.CommandLineOptions;
import io.cm.server.config.ConfigLoader;
import io.cm.server.config.ServerConfig;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * One run, four phases at the same concurrency: the bare 202 server (the machine's HTTP ceiling),
 * our server (in-process, demo configuration, throttles raised) for inits and for heartbeats, and
 * the bare server again.
 *
 * <p>Arguments, all optional, as {@code key=value}: {@code connections} (64), {@code warmup}
 * seconds per phase (5; the first phase gets 10 more to warm the JVM), {@code duration} seconds
 * per phase (10), {@code sessions} pre-created for the heartbeat phase (10000), {@code clientThreads}
 * event loops of the load generator (cores).
 */
public final class LoadRun {

    private static final String IDP = "bench";
    private static final Duration JVM_WARMUP = Duration.ofSeconds(10);
    // Raised far above what a run can send, so that the phases measure work, not 429s.
    private static final Map<String, String> UNTHROTTLED = Map.of(
            "CM_THROTTLING_INITS_PER_WINDOW", "1000000000",
            "CM_THROTTLING_SESSION_REQUESTS_PER_WINDOW", "1000000000");

    private LoadRun() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
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

            List<PhaseResult> ours = new ArrayList<>();
            Path dataDir = Files.createTempDirectory("cm-bench");
            HttpClientAgent client = client(generator.vertx(), connections);
            try (CmServer server = CmServer.start(demoConfig(dataDir), Clock.systemUTC())) {
                Poster poster = new Poster(client, server.port());
                AtomicLong subjects = new AtomicLong();
                // A new subject per init: the demo policy allows 3 streams per subject, so each is permitted.
                ours.add(ClosedLoop.run(generator, "init", () -> poster.post(
                        "/v2/sessions/" + IDP + "/init-" + subjects.incrementAndGet() + "?deviceId=tv"),
                        connections, warmup, duration));

                List<String> paths = startSessions(generator, poster, sessions, connections);
                AtomicLong beats = new AtomicLong();
                ours.add(ClosedLoop.run(generator, "heartbeat", () -> poster.post(
                        paths.get((int) (beats.getAndIncrement() % paths.size()))), connections, warmup, duration));
            } finally {
                client.close().await();
                delete(dataDir);
            }
            // The ceiling again at the end: on a shared machine, a drift between the two shows the run was disturbed.
            PhaseResult bareAfter = bare(generator, "bare again", connections, warmup, duration);
            ResultTable.print(System.out, List.of(bareBefore, bareAfter), ours);
        }
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

    private static ServerConfig demoConfig(Path dataDir) {
        return ConfigLoader.load(new CommandLineOptions(Optional.empty(), OptionalInt.of(0), Optional.of(dataDir)),
                UNTHROTTLED);
    }

    /** Starts one session per subject, {@code concurrency} at a time, and returns each one's heartbeat path. */
    private static List<String> startSessions(EventLoops eventLoops, Poster poster, int count, int concurrency)
            throws TimeoutException {
        String[] paths = new String[count];
        AtomicInteger nextIndex = new AtomicInteger();
        List<Future<Void>> loops = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            Promise<Void> done = Promise.promise();
            eventLoops.context(i).runOnContext(ignored ->
                    startFrom(poster, paths, nextIndex).onComplete(done));
            loops.add(done.future());
        }
        Future.all(loops).await(5, TimeUnit.MINUTES);
        return List.of(paths);
    }

    private static Future<Void> startFrom(Poster poster, String[] paths, AtomicInteger nextIndex) {
        int i = nextIndex.getAndIncrement();
        if (i >= paths.length) return Future.succeededFuture();
        String base = "/v2/sessions/" + IDP + "/hb-" + i;
        return poster.post(base + "?deviceId=tv").compose(reply -> {
            if (!reply.ok()) return Future.failedFuture("init for heartbeats answered " + reply.status());
            // The spec's Location is the bare session id; a full path is accepted too.
            String location = reply.location();
            paths[i] = location.startsWith("/") ? location : base + "/" + location;
            return startFrom(poster, paths, nextIndex);
        });
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            int equals = arg.indexOf('=');
            if (equals < 1) throw new IllegalArgumentException("expected key=value, got " + arg);
            options.put(arg.substring(0, equals), arg.substring(equals + 1));
        }
        return options;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(file);
        }
    }
}
