package io.cm.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * The callback style of {@link LiveStreamClient#subscribe}: each callback runs on the executor, one at a
 * time and in order, the reading waiting for it (so a slow consumer slows the connection, not memory). A
 * callback that throws loses its record (logged), not the connection: one bad record must not stop an
 * analytics feed.
 */
record CallbackSink(Consumer<SessionEvent> onEvent, Consumer<LiveStreamException> onFailure, Executor executor)
        implements RecordSink {

    private static final System.Logger LOG = System.getLogger(CallbackSink.class.getName());

    @Override
    public void record(SessionEvent event) throws InterruptedException {
        run(onEvent, event, "A live-stream callback failed; its record is skipped");
    }

    @Override
    public void failed(LiveStreamException error) {
        try {
            run(onFailure, error, "A live-stream failure callback failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code callback} on the executor and waits for it. */
    private <T> void run(Consumer<T> callback, T value, String ifItThrows) throws InterruptedException {
        try {
            CompletableFuture.runAsync(() -> callback.accept(value), executor).get();
        } catch (ExecutionException e) {
            LOG.log(System.Logger.Level.WARNING, ifItThrows, e.getCause());
        } catch (RejectedExecutionException e) {
            LOG.log(System.Logger.Level.WARNING, "The callback executor refused a live-stream callback", e);
        }
    }

    @Override
    public void ended() {
        // callbacks hold nothing to release
    }
}
