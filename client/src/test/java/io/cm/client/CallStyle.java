package io.cm.client;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The two forms of each call: blocking, and asynchronous ({@code …Async}, a {@link CompletableFuture}).
 * Tests of a rule take the form as a parameter, so that both are held to it; the asynchronous form is
 * awaited here, and must fail with the very exception the blocking form throws.
 */
enum CallStyle {

    BLOCKING {
        @Override
        StreamSession start(ConcurrencyClient client, String subject, Map<String, String> metadata,
                            String... terminate) throws ConcurrencyException {
            return client.start("idp1", subject, metadata, terminate);
        }

        @Override
        StreamSession retryTerminating(ConcurrencyConflict conflict, String... codes) throws ConcurrencyException {
            return conflict.retryTerminating(codes);
        }

        @Override
        RunningStreams runningStreams(ConcurrencyClient client, String subject) throws ConcurrencyException {
            return client.runningStreams("idp1", subject);
        }

        @Override
        List<String> requiredMetadata(ConcurrencyClient client) throws ConcurrencyException {
            return client.requiredMetadata();
        }

        @Override
        void stop(StreamSession session) throws ConcurrencyException {
            session.stop();
        }
    },

    ASYNC {
        @Override
        StreamSession start(ConcurrencyClient client, String subject, Map<String, String> metadata,
                            String... terminate) throws ConcurrencyException {
            return outcome(client.startAsync("idp1", subject, metadata, terminate));
        }

        @Override
        StreamSession retryTerminating(ConcurrencyConflict conflict, String... codes) throws ConcurrencyException {
            return outcome(conflict.retryTerminatingAsync(codes));
        }

        @Override
        RunningStreams runningStreams(ConcurrencyClient client, String subject) throws ConcurrencyException {
            return outcome(client.runningStreamsAsync("idp1", subject));
        }

        @Override
        List<String> requiredMetadata(ConcurrencyClient client) throws ConcurrencyException {
            return outcome(client.requiredMetadataAsync());
        }

        @Override
        void stop(StreamSession session) throws ConcurrencyException {
            outcome(session.stopAsync());
        }
    };

    /** A start for subscriber idp1/{@code subject}. */
    abstract StreamSession start(ConcurrencyClient client, String subject, Map<String, String> metadata,
                                 String... terminate) throws ConcurrencyException;

    abstract StreamSession retryTerminating(ConcurrencyConflict conflict, String... codes) throws ConcurrencyException;

    /** The running streams of subscriber idp1/{@code subject}. */
    abstract RunningStreams runningStreams(ConcurrencyClient client, String subject) throws ConcurrencyException;

    abstract List<String> requiredMetadata(ConcurrencyClient client) throws ConcurrencyException;

    abstract void stop(StreamSession session) throws ConcurrencyException;

    /** What the future completes with within 10 s, or the {@link ConcurrencyException} it fails with. */
    private static <T> T outcome(CompletableFuture<T> future) throws ConcurrencyException {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ConcurrencyException concurrency) throw concurrency;
            throw new AssertionError("an asynchronous call failed with something else than a ConcurrencyException", e);
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no outcome", e);
        }
    }
}
