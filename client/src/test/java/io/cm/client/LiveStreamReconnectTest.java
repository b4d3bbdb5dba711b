package io.cm.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * After a lost connection (the seed, SPEC §6–§7): no new attempt before the reconnect delay (60 s and
 * jitter), at once only with a clientId and never twice in a row; and no record lost or repeated.
 * The real server, behind a TCP relay the test cuts like a failing network; the client's time is a
 * manual scheduler, the server's clock stands still.
 */
@Timeout(30)
class LiveStreamReconnectTest {

    private static final Duration RECONNECT_DELAY = Duration.ofSeconds(60);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private final RealServer server = Fixtures.liveServer();
    private final List<SessionEvent> received = new CopyOnWriteArrayList<>();
    private final List<LiveStreamException> failures = new CopyOnWriteArrayList<>();
    private ManualClock clock;
    private ManualScheduler scheduler;
    private CuttableProxy proxy;
    private LiveStreamClient client;

    @BeforeEach
    void relay() {
        clock = Fixtures.localClock();
        scheduler = new ManualScheduler(clock);
        proxy = new CuttableProxy(server.port());
    }

    @AfterEach
    void closeAll() {
        if (client != null) client.close();
        proxy.close();
        assertThat(failures).isEmpty();
    }

    private void connect(String stream, LiveStreamClient.Builder settings) {
        client = settings.build();
        client.subscribe(received::add, failures::add);
        awaitConnection(stream, 1);
    }

    /**
     * Waits until the {@code n}-th connection is live on the server, relayed (so that a cut reaches it)
     * and watched by the client's idle watchdog (so that the next task the client schedules is not that).
     */
    private void awaitConnection(String stream, int n) {
        Fixtures.awaitLiveConnections(server, stream, 1);
        Await.until("the relay of connection " + n, () -> proxy.accepted() == n);
        scheduler.awaitEntry(n - 1);
    }

    private LiveStreamClient.Builder through(String stream) {
        return LiveStreamClient.builder(Fixtures.streamUrl(proxy.port(), stream), "demo-token")
                .clock(clock).scheduler(scheduler);
    }

    /** Cuts the connection and returns the wait the client then schedules. */
    private ManualScheduler.Entry cutAndAwaitWait(String stream) {
        int mark = scheduler.scheduledCount();
        proxy.cut();
        ManualScheduler.Entry wait = scheduler.awaitEntry(mark);
        Fixtures.awaitLiveConnections(server, stream, 0);
        return wait;
    }

    @Test
    void afterALossNoConnectionIsAttemptedBeforeTheReconnectDelay() {
        connect("wait", through("wait"));

        ManualScheduler.Entry wait = cutAndAwaitWait("wait");
        assertThat(wait.delay()).isBetween(RECONNECT_DELAY, RECONNECT_DELAY.multipliedBy(12).dividedBy(10));

        scheduler.advance(wait.delay().minusMillis(1));
        assertThat(proxy.accepted()).as("no attempt before the delay").isEqualTo(1);

        scheduler.advance(Duration.ofMillis(1));
        Await.until("the second connection", () -> proxy.accepted() == 2);
        Fixtures.awaitLiveConnections(server, "wait", 1);
    }

    @Test
    void everyRecordArrivesExactlyOnceAcrossAForcedDisconnect() {
        connect("resume", through("resume"));
        List<String> before = startAll("before-", 5);
        awaitStarts(before);

        ManualScheduler.Entry wait = cutAndAwaitWait("resume");
        List<String> during = startAll("during-", 5);
        scheduler.advance(wait.delay());
        Fixtures.awaitLiveConnections(server, "resume", 1);
        List<String> after = startAll("after-", 5);

        awaitStarts(after);
        awaitStarts(during);
        List<String> startedSubjects = received.stream().filter(SessionEvent.Started.class::isInstance)
                .map(SessionEvent.Started.class::cast).map(SessionEvent.Started::subject).toList();
        assertThat(startedSubjects).as("each start once, none of the gap lost")
                .containsExactlyInAnyOrderElementsOf(concat(before, during, after));
        assertThat(received).extracting(r -> r.raw().path("hit_id").asText()).doesNotHaveDuplicates();
    }

    /** Connects to {@code stream} with a clientId, cuts, and waits for the reconnect: no time passes. */
    private void reconnectedAtOnce(String stream) {
        connect(stream, through(stream).clientId("reader-of-" + stream));
        proxy.cut();
        awaitConnection(stream, 2); // without any time passing
    }

    @Test
    void withAClientIdTheFirstReconnectAfterALossIsImmediate() {
        reconnectedAtOnce("client-id");

        assertThat(scheduler.pendingDelays()).as("no wait, only the idle watchdog").containsOnly(IDLE_TIMEOUT);
    }

    @Test
    void withAClientIdASecondLossSoonAfterWaitsTheReconnectDelay() {
        reconnectedAtOnce("client-id-again");

        ManualScheduler.Entry wait = cutAndAwaitWait("client-id-again");

        assertThat(wait.delay()).isGreaterThanOrEqualTo(RECONNECT_DELAY);
        assertThat(proxy.accepted()).isEqualTo(2);
    }

    private List<String> startAll(String prefix, int count) {
        List<String> subjects = IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
        subjects.forEach(subject -> Fixtures.started(server, subject));
        return subjects;
    }

    private void awaitStarts(List<String> subjects) {
        Await.until("the starts of " + subjects, () -> received.stream()
                .map(r -> r.raw().path("subject").asText()).toList().containsAll(subjects));
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        return Arrays.stream(lists).flatMap(List::stream).toList();
    }
}
