package io.cm.bench;

import io.cm.server.CmServer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * The live stream under load: heartbeats (one event each) at a fixed concurrency with no stream
 * connected, with one gzip connection reading, and with eight; then the catch-up rate of one and of
 * eight connections replaying the retained log ({@code reset=smallest}) while heartbeats go on.
 * Events/s are counted by consumers that decode chunked and gzip as a client would, from the start
 * of the measured heartbeat run to its end.
 *
 * <p>Arguments, all optional, as {@code key=value}: {@code connections} (64), {@code warmup} seconds
 * (5; also how long sessions are started for; the first phase gets 10 more), {@code duration}
 * seconds per phase (10), {@code kafka} ({@code host:port} of a broker, e.g. {@code bin/cluster kafka}):
 * then the phases run with events through Kafka (a new topic), after the no-stream heartbeat phase on
 * the embedded log, and the ratio of the two says what publishing costs a heartbeat.
 */
public final class LiveStreamRun {

    private static final String STREAM = "http://127.0.0.1:%d/api/1/stream/demo?maxConnections=%d&reset=%s";
    private static final Duration JVM_WARMUP = Duration.ofSeconds(10);
    private LiveStreamRun() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = BenchServer.options(args);
        int connections = Integer.parseInt(options.getOrDefault("connections", "64"));
        Duration warmup = Duration.ofSeconds(Long.parseLong(options.getOrDefault("warmup", "5")));
        Duration duration = Duration.ofSeconds(Long.parseLong(options.getOrDefault("duration", "10")));
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("machine: %d cores, %s %s, max heap %d MiB%n", cores, System.getProperty("java.vm.name"),
                Runtime.version(), Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("load: %d connections sending heartbeats, closed loop, warm-up %d s, %d s per phase%n",
                connections, warmup.toSeconds(), duration.toSeconds());

        Optional<String> kafka = Optional.ofNullable(options.get("kafka"));
        try (EventLoops generator = EventLoops.start(cores)) {
            if (kafka.isPresent()) {
                // The cost of publishing: the same heartbeats on the embedded log first, in this run.
                PhaseResult embedded = run(generator, Map.of(), connections, warmup, duration, false);
                PhaseResult throughKafka = run(generator, Map.of("CM_EVENTS", "kafka", "CM_KAFKA_BOOTSTRAP", kafka.get(),
                        "CM_KAFKA_TOPIC", "cm-bench-" + System.currentTimeMillis()), connections, warmup, duration, true);
                System.out.printf("%nheartbeat req/s with events through Kafka / on the embedded log = %.0f / %.0f = %.2f%n",
                        throughKafka.requestsPerSecond(), embedded.requestsPerSecond(),
                        throughKafka.requestsPerSecond() / embedded.requestsPerSecond());
            } else {
                run(generator, Map.of(), connections, warmup, duration, true);
            }
        }
    }

    /**
     * One server ({@code env} on top of the demo configuration): sessions, then heartbeats with no
     * stream and, if {@code streams}, the live-stream phases. Returns the no-stream heartbeat phase.
     */
    private static PhaseResult run(EventLoops generator, Map<String, String> env, int connections, Duration warmup,
                                   Duration duration, boolean streams) throws Exception {
        Path dataDir = Files.createTempDirectory("cm-bench-stream");
        try (CmServer server = BenchServer.start(dataDir, env)) {
            System.out.printf("%nevents: %s%n", env.getOrDefault("CM_EVENTS", "embedded"));
            HttpClientAgent client = generator.vertx().createHttpClient(new HttpClientOptions().setKeepAlive(true),
                    new PoolOptions().setHttp1MaxSize(connections));
            Poster poster = new Poster(client, server.port());
            List<String> paths = startSessions(generator, poster, connections, warmup);
            System.out.printf("%d sessions started, then heartbeats over them%n%n", paths.size());
            AtomicLong beats = new AtomicLong();
            // Warm-ups are runs of their own, so that consumers count exactly the measured run.
            Load heartbeats = measure -> ClosedLoop.run(generator, "heartbeat", () -> poster.post(
                    paths.get((int) (beats.getAndIncrement() % paths.size()))), connections, Duration.ZERO, measure);

            heartbeats.run(warmup.plus(JVM_WARMUP));
            System.out.printf("%-34s %10s %12s %10s %10s%n", "phase", "req/s", "events/s", "wire MB/s", "gzip ratio");
            PhaseResult alone = heartbeats.run(duration);
            report("heartbeats, no stream", alone, List.of());
            if (streams) {
                for (int count : new int[] {1, 8}) {
                    phase("heartbeats + " + count + " live connection(s)", server, heartbeats, count, "largest", warmup,
                            duration);
                }
                // A replay of the retained log: the delivery rate when the connections, not the deciding, are the limit.
                for (int count : new int[] {1, 8}) {
                    phase("catch-up, " + count + " connection(s)", server, heartbeats, count, "smallest", Duration.ZERO,
                            duration);
                }
                report("heartbeats, no stream, again", heartbeats.run(duration), List.of());
                for (int count : new int[] {1, 8}) drain("catch-up, no decisions, " + count + " conn.", server, count);
            }
            client.close().await();
            return alone;
        } finally {
            // The log of a run is hundreds of MB.
            BenchServer.delete(dataDir);
        }
    }

    /** A closed-loop heartbeat run measured for the given time. */
    private interface Load {
        PhaseResult run(Duration measure) throws InterruptedException;
    }

    private static void phase(String name, CmServer server, Load heartbeats, int count, String reset, Duration warmup,
                              Duration duration) throws Exception {
        List<Consumer> consumers = Consumer.open(server.port(), count, reset);
        try {
            if (!warmup.isZero()) heartbeats.run(warmup);
            Consumer.reset(consumers);
            report(name, heartbeats.run(duration), consumers);
        } finally {
            Consumer.close(consumers);
        }
    }

    /**
     * Replays the retained log with nothing else running, until no record has come for a second.
     * Timed from before the first connection: later ones join while it runs, and the partitions they
     * take over restart from the committed position, so records repeat (counted: at-least-once).
     */
    private static void drain(String name, CmServer server, int count) throws Exception {
        long start = System.nanoTime();
        List<Consumer> consumers = Consumer.open(server.port(), count, "smallest");
        try {
            long lastChange = System.nanoTime();
            long seen = -1;
            while (System.nanoTime() - lastChange < TimeUnit.SECONDS.toNanos(1)) {
                Thread.sleep(50);
                long events = consumers.stream().mapToLong(Consumer::events).sum();
                if (events != seen) {
                    seen = events;
                    lastChange = System.nanoTime();
                }
            }
            double seconds = (lastChange - start) / 1e9;
            long wire = consumers.stream().mapToLong(Consumer::wireBytes).sum();
            long raw = consumers.stream().mapToLong(Consumer::rawBytes).sum();
            System.out.printf("%-34s %10s %12.0f %10.1f %10.1f   (%d records in %.2f s)%n", name, "-",
                    seen / seconds, wire / seconds / 1e6, (double) raw / wire, seen, seconds);
        } finally {
            Consumer.close(consumers);
        }
    }

    private static void report(String phase, PhaseResult result, List<Consumer> consumers) {
        double seconds = result.seconds();
        long events = consumers.stream().mapToLong(Consumer::events).sum();
        long wire = consumers.stream().mapToLong(Consumer::wireBytes).sum();
        long raw = consumers.stream().mapToLong(Consumer::rawBytes).sum();
        System.out.printf("%-34s %10.0f %12s %10s %10s%n", phase, result.requestsPerSecond(),
                consumers.isEmpty() ? "-" : String.format("%.0f", events / seconds),
                consumers.isEmpty() ? "-" : String.format("%.1f", wire / seconds / 1e6),
                wire == 0 ? "-" : String.format("%.1f", (double) raw / wire));
    }

    /** Starts sessions (one per subject) for {@code duration}, as a closed-loop init run; returns their heartbeat paths. */
    private static List<String> startSessions(EventLoops generator, Poster poster, int connections, Duration duration)
            throws InterruptedException {
        Queue<String> paths = new ConcurrentLinkedQueue<>();
        AtomicLong subjects = new AtomicLong();
        ClosedLoop.run(generator, "init", () -> {
            String base = "/v2/sessions/bench/stream-" + subjects.incrementAndGet();
            return poster.post(base + "?deviceId=tv").onSuccess(reply -> {
                if (reply.ok()) paths.add(base + "/" + reply.location());
            });
        }, connections, Duration.ZERO, duration);
        return List.copyOf(paths);
    }

    /**
     * One stream connection read on its own thread through {@code java.net.http} (which undoes the
     * chunking) and {@link GZIPInputStream}, counting the non-empty CRLF-terminated records.
     */
    private static final class Consumer implements AutoCloseable {

        private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        private final InputStream body;
        private final AtomicLong wire = new AtomicLong();
        private final AtomicLong raw = new AtomicLong();
        private final AtomicLong events = new AtomicLong();
        private final Thread reader;

        private Consumer(int port, int maxConnections, String reset) throws IOException, InterruptedException {
            HttpRequest request = HttpRequest.newBuilder(URI.create(STREAM.formatted(port, maxConnections, reset)))
                    .header("Authorization", "Bearer demo-token").header("Accept-Encoding", "gzip").build();
            HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
            // The previous phase's connections may not be gone yet on the server: a 409 until they are.
            for (int attempt = 0; response.statusCode() == 409 && attempt < 100; attempt++) {
                response.body().close();
                Thread.sleep(100);
                response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
            }
            if (response.statusCode() != 200) throw new IllegalStateException("stream answered " + response.statusCode());
            this.body = response.body();
            this.reader = Thread.ofPlatform().name("stream-consumer").daemon().start(this::read);
        }

        static List<Consumer> open(int port, int count, String reset) throws IOException, InterruptedException {
            List<Consumer> consumers = new ArrayList<>();
            for (int i = 0; i < count; i++) consumers.add(new Consumer(port, count, reset));
            return consumers;
        }

        private void read() {
            byte[] buffer = new byte[64 * 1024];
            int lineLength = 0;
            try (InputStream in = new GZIPInputStream(new Counting(body, wire), 64 * 1024)) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    raw.addAndGet(n);
                    for (int i = 0; i < n; i++) {
                        if (buffer[i] != '\n') {
                            lineLength++;
                        } else {
                            // "\r\n" alone (length 1 with its CR) is a keepalive, not an event.
                            if (lineLength > 1) events.incrementAndGet();
                            lineLength = 0;
                        }
                    }
                }
            } catch (IOException closed) {
                // closed by the run
            }
        }

        long wireBytes() {
            return wire.get();
        }

        long rawBytes() {
            return raw.get();
        }

        long events() {
            return events.get();
        }

        static void reset(List<Consumer> consumers) {
            consumers.forEach(consumer -> {
                consumer.events.set(0);
                consumer.wire.set(0);
                consumer.raw.set(0);
            });
        }

        static void close(List<Consumer> consumers) throws InterruptedException {
            for (Consumer consumer : consumers) consumer.close();
        }

        @Override
        public void close() throws InterruptedException {
            try {
                body.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            reader.join(5000);
        }
    }

    /** Counts the compressed bytes that come off the connection. */
    private static final class Counting extends FilterInputStream {
        private final AtomicLong count;

        Counting(InputStream in, AtomicLong count) {
            super(in);
            this.count = count;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count.addAndGet(n);
            return n;
        }
    }
}
