package io.cm.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code kill -9} under load, counted: per round, a server process on a fresh data directory,
 * {@code clients} keep-alive connections each starting sessions on new subjects as fast as answers
 * come, SIGKILL {@code killAfter} seconds after the first 202 (so that a slow JVM start does not eat
 * the load), a restart on the same directory, then a heartbeat for every session that got its 202:
 * acknowledged vs recovered (answered 202 after the restart).
 *
 * <p>Arguments, all optional, {@code key=value}: {@code rounds} (6), {@code clients} (20),
 * {@code killAfter} seconds (3.5), {@code heap} of the server (512m), {@code fsync}
 * ({@code interval|always|never}, default the server's).
 */
public final class KillRun {

    private KillRun() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = BenchServer.options(args);
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "6"));
        int clients = Integer.parseInt(options.getOrDefault("clients", "20"));
        Duration killAfter = Duration.ofMillis((long) (Double.parseDouble(options.getOrDefault("killAfter", "3.5")) * 1000));
        String heap = options.getOrDefault("heap", "512m");
        Map<String, String> env = options.containsKey("fsync") ? Map.of("CM_FSYNC", options.get("fsync")) : Map.of();
        System.out.printf("machine: %d cores; server -Xmx%s%s; %d keep-alive clients; kill -9 %.1f s after the first 202%n%n",
                Runtime.getRuntime().availableProcessors(), heap, env.isEmpty() ? "" : ", fsync " + env.get("CM_FSYNC"),
                clients, killAfter.toMillis() / 1e3);
        System.out.println("round  acknowledged   recovered   lost  cut in flight  other answers  restart s");
        long totalAcknowledged = 0;
        long totalLost = 0;
        try (EventLoops generator = EventLoops.start(Runtime.getRuntime().availableProcessors())) {
            for (int round = 1; round <= rounds; round++) {
                Path dataDir = Files.createTempDirectory("cm-kill-run");
                HttpClientAgent client = generator.vertx().createHttpClient(new HttpClientOptions().setKeepAlive(true),
                        new PoolOptions().setHttp1MaxSize(clients));
                try {
                    Load load;
                    try (ServerJvm server = ServerJvm.start(dataDir, heap, env)) {
                        load = startUntilKilled(generator, new Poster(client, server.port()), server, clients, killAfter);
                    }
                    try (ServerJvm restarted = ServerJvm.start(dataDir, heap, env)) {
                        long recovered = heartbeats202(generator, new Poster(client, restarted.port()),
                                List.copyOf(load.acknowledged), clients);
                        long lost = load.acknowledged.size() - recovered;
                        totalAcknowledged += load.acknowledged.size();
                        totalLost += lost;
                        System.out.printf("%5d  %12d  %10d  %5d  %13d  %13d  %9.2f%n", round, load.acknowledged.size(),
                                recovered, lost, load.cut.get(), load.other.get(), restarted.readySeconds());
                    }
                } finally {
                    client.close().await();
                    BenchServer.delete(dataDir);
                }
            }
        }
        System.out.printf("%nall rounds: %,d acknowledged, %,d lost%n", totalAcknowledged, totalLost);
    }

    private static final class Load {
        final Queue<String> acknowledged = new ConcurrentLinkedQueue<>();
        final CountDownLatch first = new CountDownLatch(1);
        final AtomicLong cut = new AtomicLong();
        final AtomicLong other = new AtomicLong();
    }

    private static Load startUntilKilled(EventLoops generator, Poster poster, ServerJvm server, int clients,
                                         Duration killAfter) throws Exception {
        Load load = new Load();
        AtomicLong subjects = new AtomicLong();
        String run = Long.toString(System.nanoTime(), 36);
        List<Future<Void>> loops = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Promise<Void> done = Promise.promise();
            generator.context(i).runOnContext(ignored -> startLoop(poster, run, subjects, load).onComplete(done));
            loops.add(done.future());
        }
        if (!load.first.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("no start acknowledged in 60 s");
        Thread.sleep(killAfter.toMillis());
        server.kill();
        Future.join(loops).await(60, TimeUnit.SECONDS);
        return load;
    }

    /** Starts sessions one after the other until a request fails: the server is gone. */
    private static Future<Void> startLoop(Poster poster, String run, AtomicLong subjects, Load load) {
        String base = "/v2/sessions/kill/" + run + "-" + subjects.incrementAndGet();
        return poster.post(base + "?deviceId=tv").transform(reply -> {
            if (reply.failed()) {
                load.cut.incrementAndGet();
                return Future.succeededFuture();
            }
            if (reply.result().status() == 202) {
                load.acknowledged.add(base + "/" + reply.result().location());
                load.first.countDown();
            } else {
                load.other.incrementAndGet();
            }
            return startLoop(poster, run, subjects, load);
        });
    }

    /** Heartbeats every session once, {@code clients} at a time; returns how many answered 202. */
    private static long heartbeats202(EventLoops generator, Poster poster, List<String> sessions, int clients)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong ok = new AtomicLong();
        List<Future<Void>> loops = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Promise<Void> done = Promise.promise();
            generator.context(i).runOnContext(ignored -> beatLoop(poster, sessions, next, ok).onComplete(done));
            loops.add(done.future());
        }
        Future.all(loops).await(5, TimeUnit.MINUTES);
        return ok.get();
    }

    private static Future<Void> beatLoop(Poster poster, List<String> sessions, AtomicInteger next, AtomicLong ok) {
        int i = next.getAndIncrement();
        if (i >= sessions.size()) return Future.succeededFuture();
        return poster.post(sessions.get(i)).compose(reply -> {
            if (reply.status() == 202) ok.incrementAndGet();
            return beatLoop(poster, sessions, next, ok);
        });
    }
}
