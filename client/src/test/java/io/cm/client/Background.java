package io.cm.client;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Blocking client calls made off the test's thread, so that the test can move a {@link ManualScheduler}
 * while the call waits on it. As a field with {@code @RegisterExtension}, stopped after each test.
 */
final class Background implements AutoCloseable, AfterEachCallback {

    private final ExecutorService threads = Executors.newCachedThreadPool();

    <T> Future<T> call(Callable<T> call) {
        return threads.submit(call);
    }

    /** What the call returned, or the (checked) exception it threw, within 10 s. */
    static <T> T outcome(Future<T> call) throws Exception {
        try {
            return call.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }
}
