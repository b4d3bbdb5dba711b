package io.cm.bench.jmh;

import io.cm.core.event.SessionEvent;
import io.cm.core.event.SessionEventType;
import io.cm.server.config.DeliverySettings;
import io.cm.server.events.EmbeddedEventLog;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The embedded event log's cost per event, append and write together: a burst of
 * {@value #BURST} heartbeat events (10,000 visitors, four metadata keys each, as the Session API
 * makes them) is appended, then the benchmark waits until the log has stored all of them. The
 * score is the time per event of the whole pipeline, the caller's {@code append} and the log's
 * writer thread; the default retention (1,000,000 events) is reached within the warm-up, so its
 * trimming is part of the figure.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
@OperationsPerInvocation(EventLogBenchmark.BURST)
public class EventLogBenchmark {

    static final int BURST = 10_000;
    private static final int VISITORS = 10_000;

    private Path dir;
    private EmbeddedEventLog log;
    private FunctionCounter stored;
    private SessionEvent[] events;
    private long appended;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("cm-bench-events");
        Clock clock = Clock.systemUTC();
        log = EmbeddedEventLog.open(dir, DeliverySettings.DEFAULTS, clock);
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        log.bindTo(metrics);
        stored = metrics.get("cm_events_appended").functionCounter();
        events = new SessionEvent[VISITORS];
        for (int i = 0; i < VISITORS; i++) {
            events[i] = new SessionEvent("hit-" + i, clock.millis(), SessionEventType.HEARTBEAT, "demo", "demo-app",
                    "Demo application", "idp1", "subscriber-" + i, Optional.of("s" + i + "-0123456789abcdefghijkl"),
                    Optional.of("K7Q2ZP"), Map.of("deviceId", "device-" + i, "deviceName", "Living room TV",
                            "channel", "Channel" + (i % 20), "platform", "web"), Optional.empty(), Optional.empty());
        }
    }

    @Benchmark
    public void appendAndStore() {
        for (int i = 0; i < BURST; i++) log.append(events[(int) ((appended + i) % VISITORS)]);
        appended += BURST;
        // Parking, not spinning: the writer thread needs a core of this 2-core machine.
        while (stored.count() < appended) LockSupport.parkNanos(20_000);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        log.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(file);
        }
    }
}
