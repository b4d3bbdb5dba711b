package io.cm.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The asynchronous forms ({@code …Async}, SPEC §7): they return at once, no thread waits while the
 * service asks to wait, their futures complete on the callback executor, and cancelling one stops its
 * retries; a start cancelled after the service acted is stopped. The blocking forms wait on the same
 * calls, and an interrupt stops them the same way. The fault cases both forms share are in
 * {@link NetworkFailureTest}, {@link ThrottlingTest}, {@link MalformedResponseTest} and the others
 * that take a {@link CallStyle}.
 */
@Timeout(30)
class AsyncCallsTest {

    private static final String LISTING = "{\"runningStreams\":[],\"otherStreams\":0}";
    private static final String THROTTLED = "{\"status\":\"error\",\"error\":{\"code\":\"THROTTLED\",\"message\":\"wait\"}}";

    private final ExecutorService appThreads = Executors.newSingleThreadExecutor(task -> new Thread(task, "app-callbacks"));

    @Test
    void anAsynchronousCallReturnsAtOnceAndNoThreadWaitsForTheWaitTheServiceAsked() throws Exception {
        try (FaultServer fault = FaultServer.start((exchange, n) -> {
            if (n == 0) FaultServer.reply(exchange, 429, Map.of("Retry-After", "30"), THROTTLED);
            else FaultServer.reply(exchange, 200, Map.of(), LISTING);
        }); ManualTimeClient manual = ManualTimeClient.of(fault.uri("/"))) {

            CompletableFuture<RunningStreams> listing = manual.client.runningStreamsAsync("idp1", "alice");

            Duration wait = manual.scheduler.awaitEntry(0).delay();
            assertThat(listing).as("waiting for the 429's Retry-After, on no thread").isNotDone();
            manual.scheduler.advance(wait);
            assertThat(listing).succeedsWithin(Duration.ofSeconds(5)).extracting(RunningStreams::otherStreams).isEqualTo(0);
            assertThat(fault.requests()).hasSize(2);
        }
    }

    @Test
    void futuresCompleteAndListenersRunOnTheCallbackExecutor() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        try (FaultServer fault = startAcceptedOnceReleased(answer, 410); // the heartbeat: expired
             ManualTimeClient manual = ManualTimeClient.of(fault.uri("/"), settings -> settings.callbackExecutor(appThreads))) {
            AtomicReference<String> futureThread = new AtomicReference<>();
            CompletableFuture<StreamSession> start = manual.client.startAsync("idp1", "alice", Map.of("deviceId", "tv"))
                    .whenComplete((session, error) -> futureThread.set(Thread.currentThread().getName()));
            answer.countDown();
            StreamSession session = start.get(5, TimeUnit.SECONDS);
            ThreadRecordingListener listener = new ThreadRecordingListener();
            session.setListener(listener);

            manual.scheduler.advance(Duration.ofSeconds(55));

            assertThat(futureThread).hasValue("app-callbacks");
            assertThat(listener.told.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(listener.thread).hasValue("app-callbacks");
        } finally {
            appThreads.shutdownNow();
        }
    }

    /** Notes the thread it is told on, whatever the ending. */
    private static final class ThreadRecordingListener implements SessionListener {
        final AtomicReference<String> thread = new AtomicReference<>();
        final CountDownLatch told = new CountDownLatch(1);

        private void told() {
            thread.set(Thread.currentThread().getName());
            told.countDown();
        }

        @Override
        public void dismissed(ConcurrencyConflict conflict) {
            told();
        }

        @Override
        public void terminatedRemotely(Terminator terminator) {
            told();
        }

        @Override
        public void expired() {
            told();
        }

        @Override
        public void failed(ConcurrencyException error) {
            told();
        }
    }

    @Test
    void cancellingAnAsynchronousCallStopsItsRetries() throws Exception {
        try (FaultServer fault = FaultServer.start((exchange, n) ->
                FaultServer.reply(exchange, 429, Map.of("Retry-After", "5"), THROTTLED));
             ManualTimeClient manual = ManualTimeClient.of(fault.uri("/"))) {
            CompletableFuture<List<String>> keys = manual.client.requiredMetadataAsync();
            Duration wait = manual.scheduler.awaitEntry(0).delay();

            keys.cancel(false);
            manual.scheduler.advance(wait);

            assertThat(fault.requests()).as("no attempt after the cancel").hasSize(1);
            assertThat(manual.scheduler.pendingDelays()).isEmpty();
        }
    }

    @Test
    void aStartCancelledWhileTheServiceWasStartingItIsStoppedThere() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        try (FaultServer fault = startAcceptedOnceReleased(answer, 202); // the stop
             ManualTimeClient manual = ManualTimeClient.of(fault.uri("/"))) {
            CompletableFuture<StreamSession> start = manual.client.startAsync("idp1", "alice", Map.of("deviceId", "tv"));
            Await.until("the start on its way", () -> fault.requests().size() == 1);

            start.cancel(false);
            answer.countDown();

            Await.until("the stop of the session started meanwhile", () -> fault.requests().size() == 2);
            FaultServer.Request stop = fault.requests().get(1);
            assertThat(stop.method()).isEqualTo("DELETE");
            assertThat(stop.uri().getPath()).isEqualTo("/v2/sessions/idp1/alice/s-1");
            assertThat(manual.scheduler.pendingDelays()).as("no heartbeat for it").isEmpty();
        }
    }

    @Test
    void anInterruptedBlockingCallStopsItsRetriesAndKeepsTheInterrupt() throws Exception {
        try (FaultServer fault = FaultServer.start((exchange, n) ->
                FaultServer.reply(exchange, 429, Map.of("Retry-After", "5"), THROTTLED));
             ManualTimeClient manual = ManualTimeClient.of(fault.uri("/"))) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                try {
                    manual.client.runningStreams("idp1", "alice");
                } catch (ConcurrencyException e) {
                    thrown.set(e);
                }
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            caller.start();
            Duration wait = manual.scheduler.awaitEntry(0).delay();

            caller.interrupt();
            caller.join(5000);
            manual.scheduler.advance(wait);

            assertThat(thrown.get()).isInstanceOf(ConcurrencyException.class).hasMessageContaining("Interrupted");
            assertThat(stillInterrupted).hasValue(true);
            assertThat(fault.requests()).as("no attempt after the interrupt").hasSize(1);
        }
    }

    /** A fake service that accepts the first request (a start) once {@code answer} is released, then answers {@code status}. */
    private static FaultServer startAcceptedOnceReleased(CountDownLatch answer, int status) {
        return FaultServer.start((exchange, n) -> {
            if (n == 0) {
                await(answer);
                FaultServer.accepted(exchange, "s-1", 60);
            } else {
                FaultServer.reply(exchange, status, Map.of(), "");
            }
        });
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
