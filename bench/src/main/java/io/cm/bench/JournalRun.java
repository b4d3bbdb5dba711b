package io.cm.bench;

import io.cm.core.policy.Application;
import io.cm.core.service.DecisionSettings;
import io.cm.core.service.SessionService;
import io.cm.core.service.StartOutcome;
import io.cm.core.session.SessionIds;
import io.cm.core.session.SubjectKey;
import io.cm.server.config.CommandLineOptions;
import io.cm.server.config.ConfigLoader;
import io.cm.server.config.ServerConfig;
import io.cm.server.store.embedded.EmbeddedStorage;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The embedded store's journal without HTTP: starts {@code sessions} sessions (1,000,000) through the
 * session service on the embedded store, each for its own subject with 4 metadata values, with up to
 * {@code inFlight} starts outstanding (1024, as concurrent requests would be); prints starts/s and the
 * journal's bytes on disk per active session. Then restarts on the same directory: in this process
 * (replay only), and as a server process ({@code java -Xmx<heap> … Main}, 3g), timed from launch to
 * {@code /health} answering 200, and heartbeats a sample of the sessions there over HTTP.
 *
 * <p>Arguments, all optional, {@code key=value}: {@code sessions}, {@code inFlight}, {@code fsync}
 * ({@code interval|always|never}), {@code heap}, {@code dir} (a fresh temporary directory by default,
 * deleted at the end). {@code sessions=0 dir=…} only restarts on what an earlier run left in {@code dir}.
 * {@code churn=K} instead spreads the {@code sessions} starts over {@code K} subjects, each stopping the
 * subject's previous session first, and prints the disk use for {@code K} active sessions.
 */
public final class JournalRun {

    private static final String SECRET = "journal-run-id-secret-0123456789";
    private static final String[] DEVICE_NAMES = {"Living room TV", "Pixel 8", "iPad de Marie", "MacBook Pro"};
    private static final String[] CHANNELS = {"Channel1", "Channel2", "news", "sport-hd"};
    private static final String[] PLATFORMS = {"androidtv", "android", "ios", "web"};
    private static final int SAMPLE_EVERY = 1_000;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private JournalRun() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = BenchServer.options(args);
        int sessions = Integer.parseInt(options.getOrDefault("sessions", "1000000"));
        int inFlight = Integer.parseInt(options.getOrDefault("inFlight", "1024"));
        String fsync = options.getOrDefault("fsync", "interval");
        String heap = options.getOrDefault("heap", "3g");
        boolean ownDir = !options.containsKey("dir");
        Path dir = ownDir ? Files.createTempDirectory("cm-journal-run") : Path.of(options.get("dir"));
        int churn = Integer.parseInt(options.getOrDefault("churn", "0"));
        ServerConfig config = ConfigLoader.load(new CommandLineOptions(Optional.empty(), OptionalInt.of(0),
                // Churn starts many sessions per subject: raised so that the run measures work, not 429s.
                Optional.of(dir)), Map.of("CM_ID_SECRET", SECRET, "CM_FSYNC", fsync,
                "CM_THROTTLING_INITS_PER_WINDOW", BenchServer.UNTHROTTLED.get("CM_THROTTLING_INITS_PER_WINDOW")));
        System.out.printf("machine: %d cores, %s %s, max heap %d MiB; fsync %s; %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"), Runtime.version(),
                Runtime.getRuntime().maxMemory() >> 20, fsync, dir);
        try {
            if (churn > 0) {
                churn(config, sessions, churn, inFlight);
                return;
            }
            List<String> sample = sessions == 0 ? List.of() : start(config, sessions, inFlight);
            long bytes = journalBytes(dir);
            System.out.printf("journal on disk       %,d bytes in %s%s%n", bytes, files(dir),
                    sessions == 0 ? "" : String.format(" = %.0f bytes per active session", bytes / (double) sessions));

            long replayStart = System.nanoTime();
            long cpuStart = THREADS.getCurrentThreadCpuTime();
            long gcStart = gcMillis();
            try (EmbeddedStorage storage = EmbeddedStorage.open(config, Clock.systemUTC())) {
                System.out.printf("restart in process    %.2f s to replay %,d active sessions (warm JVM; replaying "
                        + "thread's CPU %.2f s, GC %.2f s)%n", (System.nanoTime() - replayStart) / 1e9,
                        storage.sessions().activeSessions(), (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e9,
                        (gcMillis() - gcStart) / 1e3);
            }
            restartAsProcess(dir, heap, sample);
        } finally {
            if (ownDir) BenchServer.delete(dir);
        }
    }

    /** Starts the sessions; returns the paths of every {@value #SAMPLE_EVERY}th, to heartbeat later. */
    private static List<String> start(ServerConfig config, int sessions, int inFlight) throws InterruptedException {
        Application app = config.catalog().application("demo-app").orElseThrow();
        DecisionSettings decisions = new DecisionSettings(config.catalog(), config.throttle().requestLimits());
        List<String> sample = new ArrayList<>();
        AtomicLong failures = new AtomicLong();
        Semaphore outstanding = new Semaphore(inFlight);
        long started;
        double seconds;
        long active;
        try (EmbeddedStorage storage = EmbeddedStorage.open(config, Clock.systemUTC())) {
            SessionService service = new SessionService(() -> decisions, storage.sessions(),
                    new SessionIds(SECRET.getBytes(StandardCharsets.UTF_8)), config.timings(), Clock.systemUTC(),
                    event -> { });
            started = System.nanoTime();
            for (int i = 0; i < sessions; i++) {
                outstanding.acquire();
                SubjectKey subject = new SubjectKey("bench", "subscriber-" + i);
                boolean sampled = i % SAMPLE_EVERY == 0;
                service.start(app, subject, metadata(i), Set.of()).whenComplete((outcome, error) -> {
                    if (outcome instanceof StartOutcome.Started s) {
                        if (sampled) {
                            synchronized (sample) {
                                sample.add("/v2/sessions/bench/" + subject.subject() + "/" + s.session().id());
                            }
                        }
                    } else {
                        failures.incrementAndGet();
                    }
                    outstanding.release();
                });
            }
            outstanding.acquire(inFlight);
            seconds = (System.nanoTime() - started) / 1e9;
            active = storage.sessions().activeSessions();
        }
        System.out.printf("starts through store  %,d in %.1f s = %,.0f starts/s (%d in flight), %d failed; "
                + "%,d active%n", sessions, seconds, sessions / seconds, inFlight, failures.get(), active);
        return sample;
    }

    /**
     * {@code inits} starts spread over {@code subjects} subjects, each stopping the subject's previous
     * session first, so that the active sessions stay at {@code subjects} while the history grows.
     */
    private static void churn(ServerConfig config, int inits, int subjects, int inFlight) throws Exception {
        Application app = config.catalog().application("demo-app").orElseThrow();
        DecisionSettings decisions = new DecisionSettings(config.catalog(), config.throttle().requestLimits());
        String[] running = new String[subjects];
        Semaphore outstanding = new Semaphore(inFlight);
        AtomicLong failures = new AtomicLong();
        long started = System.nanoTime();
        long active;
        long peak = 0;
        try (EmbeddedStorage storage = EmbeddedStorage.open(config, Clock.systemUTC())) {
            SessionService service = new SessionService(() -> decisions, storage.sessions(),
                    new SessionIds(SECRET.getBytes(StandardCharsets.UTF_8)), config.timings(), Clock.systemUTC(),
                    event -> { });
            for (int round = 0; round * subjects < inits; round++) {
                for (int s = 0; s < subjects && round * subjects + s < inits; s++) {
                    outstanding.acquire();
                    int slot = s;
                    SubjectKey subject = new SubjectKey("bench", "churn-" + s);
                    CompletionStage<?> stopped = running[s] == null ? CompletableFuture.completedFuture(null)
                            : service.stop(app, subject, running[s]);
                    stopped.thenCompose(ignored -> service.start(app, subject, metadata(slot), Set.of()))
                            .whenComplete((outcome, error) -> {
                                if (outcome instanceof StartOutcome.Started replacement) running[slot] = replacement.session().id();
                                else failures.incrementAndGet();
                                outstanding.release();
                            });
                }
                outstanding.acquire(inFlight); // a round ends before the next stops its sessions
                outstanding.release(inFlight);
                peak = Math.max(peak, journalBytes(config.dataDir()));
            }
            active = storage.sessions().activeSessions();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long bytes = journalBytes(config.dataDir());
        System.out.printf("churn                 %,d starts (each after a stop) over %,d subjects in %.1f s, %d failed; "
                + "%,d active%n", inits, subjects, seconds, failures.get(), active);
        System.out.printf("journal on disk       %,d bytes in %s = %.0f bytes per active session; at most %,d "
                + "bytes at the end of a round%n", bytes, files(config.dataDir()), bytes / (double) active, peak);
    }

    private static Map<String, String> metadata(int i) {
        return Map.of("deviceId", "device-" + Integer.toHexString(0x5f3a0000 + i),
                "deviceName", DEVICE_NAMES[i % DEVICE_NAMES.length],
                "channel", CHANNELS[i % CHANNELS.length],
                "platform", PLATFORMS[i % PLATFORMS.length]);
    }

    private static void restartAsProcess(Path dir, String heap, List<String> sample) throws Exception {
        try (ServerJvm server = ServerJvm.start(dir, heap, Map.of("CM_ID_SECRET", SECRET))) {
            System.out.printf("restart as a process  %.2f s from launch to /health 200 (-Xmx%s; the process used %.2f s "
                    + "of CPU by then, all threads)%n", server.readySeconds(), heap, server.cpuSeconds());
            try (Stream<String> log = Files.lines(dir.resolve("server.log"))) {
                log.filter(line -> line.contains("Restored")).reduce((earlier, later) -> later)
                        .ifPresent(line -> System.out.println("  server: " + line));
            }
            HttpClient http = HttpClient.newHttpClient();
            String authorization = "Basic " + Base64.getEncoder().encodeToString("demo-app:".getBytes(StandardCharsets.UTF_8));
            int ok = 0;
            for (String path : sample) {
                HttpResponse<Void> beat = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + server.port() + path))
                        .header("Authorization", authorization).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (beat.statusCode() == 202) ok++;
            }
            System.out.printf("heartbeats after it   %d of %d sampled sessions answered 202%n", ok, sample.size());
        }
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    private static long journalBytes(Path dataDir) throws IOException {
        try (Stream<Path> files = Files.list(EmbeddedStorage.journal(dataDir))) {
            return files.mapToLong(file -> file.toFile().length()).sum();
        }
    }

    private static List<String> files(Path dataDir) throws IOException {
        try (Stream<Path> files = Files.list(EmbeddedStorage.journal(dataDir))) {
            return files.map(file -> file.getFileName() + " (" + (file.toFile().length() >> 20) + " MiB)").sorted().toList();
        }
    }
}
