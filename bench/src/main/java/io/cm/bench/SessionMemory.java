package io.cm.bench;

import io.cm.core.policy.Application;
import io.cm.core.policy.Catalog;
import io.cm.core.policy.ConflictMode;
import io.cm.core.policy.Policy;
import io.cm.core.policy.Rule;
import io.cm.core.service.DecisionSettings;
import io.cm.core.service.HeartbeatOutcome;
import io.cm.core.service.RequestLimits;
import io.cm.core.service.SessionService;
import io.cm.core.service.SessionTimings;
import io.cm.core.service.StartOutcome;
import io.cm.core.session.SessionIds;
import io.cm.core.session.SubjectKey;
import io.cm.core.store.InMemorySessionStore;

import javax.management.JMException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Heap per active session in the core (no HTTP): starts {@code count} sessions (argument, default
 * 1,000,000), each for its own subject with 4 short metadata values, heartbeats each once, and divides the growth of the
 * used heap after full collections by the number of sessions. Run with a heap that holds them,
 * e.g. {@code -Xmx6g}. A second argument {@code histogram} also prints the biggest classes on the
 * heap, to see where the bytes go.
 */
public final class SessionMemory {

    /** The target. */
    private static final long TARGET_BYTES = 1024;
    private static final String[] DEVICE_NAMES = {"Living room TV", "Pixel 8", "iPad de Marie", "MacBook Pro"};
    private static final String[] CHANNELS = {"Channel1", "Channel2", "news", "sport-hd"};
    private static final String[] PLATFORMS = {"androidtv", "android", "ios", "web"};

    private SessionMemory() {
    }

    public static void main(String[] args) throws InterruptedException, JMException {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        boolean histogram = args.length > 1 && args[1].equals("histogram");
        Application app = new Application("bench-app", "bench", "Bench", Optional.empty(), List.of("bench-policy"),
                Optional.empty());
        Policy policy = new Policy("bench-policy", List.of(new Rule.MaxStreams(null, 3)), ConflictMode.LIFO,
                Optional.empty());
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        InMemorySessionStore store = new InMemorySessionStore();
        DecisionSettings settings = new DecisionSettings(new Catalog(List.of(app), List.of(policy)),
                RequestLimits.DEFAULTS);
        SessionService service = new SessionService(() -> settings, store, new SessionIds(key),
                SessionTimings.DEFAULTS, Clock.systemUTC(), event -> {
                });

        long before = usedHeapAfterGc();
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            SubjectKey subject = new SubjectKey(fresh("idp1"), fresh("subscriber-" + i));
            StartOutcome outcome = service.start(app, subject, metadata(i), Set.of()).toCompletableFuture().join();
            if (!(outcome instanceof StartOutcome.Started admitted)) {
                throw new IllegalStateException("start " + i + ": " + outcome);
            }
            // A heartbeat too: a running session has a request budget beside it.
            HeartbeatOutcome beat = service.heartbeat(app, subject, fresh(admitted.session().id()), Map.of())
                    .toCompletableFuture().join();
            if (!(beat instanceof HeartbeatOutcome.Alive)) throw new IllegalStateException("heartbeat " + i + ": " + beat);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long after = usedHeapAfterGc();
        long active = service.activeSessions();
        if (histogram) printHistogram(25);
        Reference.reachabilityFence(service);

        double perSession = (after - before) / (double) active;
        System.out.printf("machine: %d cores, %s %s, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), Runtime.version(), Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("active sessions       %,d (started in %.1f s, %,.0f starts/s on one thread)%n",
                active, seconds, count / seconds);
        System.out.printf("used heap before      %,d bytes%n", before);
        System.out.printf("used heap after       %,d bytes%n", after);
        System.out.printf("heap per session      %,.0f bytes%n", perSession);
        System.out.printf("target <= %d B/session: %s%n", TARGET_BYTES, perSession <= TARGET_BYTES ? "MET" : "NOT MET");
    }

    /**
     * What an app sends at init. Every value is a new String, as when decoded from a request, so
     * the measurement does not profit from literals shared across sessions.
     */
    private static Map<String, String> metadata(int i) {
        Map<String, String> metadata = new HashMap<>();
        metadata.put(fresh("deviceId"), fresh("device-" + Integer.toHexString(0x5f3a0000 + i)));
        metadata.put(fresh("deviceName"), fresh(DEVICE_NAMES[i % DEVICE_NAMES.length]));
        metadata.put(fresh("channel"), fresh(CHANNELS[i % CHANNELS.length]));
        metadata.put(fresh("platform"), fresh(PLATFORMS[i % PLATFORMS.length]));
        return metadata;
    }

    /** A copy with its own character array ({@code new String(String)} would share the original's). */
    private static String fresh(String value) {
        return new String(value.toCharArray());
    }

    /** The JVM's class histogram (as {@code jcmd GC.class_histogram}), first {@code rows} classes. */
    private static void printHistogram(int rows) throws JMException {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        text.lines().limit(rows + 2).forEach(System.out::println);
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
