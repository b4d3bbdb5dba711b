package io.cm.bench;

import io.vertx.core.Future;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Closed-loop load: a fixed number of loops, each sending its next request only when the previous
 * one has completed. Throughput is then what the server sustains at that concurrency, and latency
 * is not hidden behind a queue in the generator (as an open-loop rate beyond capacity would do).
 */
final class ClosedLoop {

    private final Supplier<Future<Poster.Reply>> call;
    // Recorder: wait-free recording from every event loop, and a clean swap between warm-up and measurement.
    private final Recorder recorder = new Recorder(3);
    private final LongAdder non2xx = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final CountDownLatch stopped;
    private volatile boolean running = true;

    private ClosedLoop(Supplier<Future<Poster.Reply>> call, int connections) {
        this.call = call;
        this.stopped = new CountDownLatch(connections);
    }

    /**
     * Runs {@code warmup} unrecorded, then {@code measure} recorded; returns when every loop has
     * stopped. The loops are dealt over the generator's event loops and run on them only, so the
     * HTTP client is used from its own event loops, as Vert.x intends.
     */
    static PhaseResult run(EventLoops eventLoops, String name, Supplier<Future<Poster.Reply>> call, int connections,
                           Duration warmup, Duration measure) throws InterruptedException {
        ClosedLoop loop = new ClosedLoop(call, connections);
        for (int i = 0; i < connections; i++) eventLoops.context(i).runOnContext(ignored -> loop.next());
        Thread.sleep(warmup.toMillis());

        loop.recorder.reset();
        loop.non2xx.reset();
        loop.errors.reset();
        long start = System.nanoTime();
        Optional<OtherCpu.Mark> cpuBefore = OtherCpu.mark();
        Thread.sleep(measure.toMillis());
        Histogram measured = loop.recorder.getIntervalHistogram();
        double seconds = (System.nanoTime() - start) / 1e9;
        double otherCores = OtherCpu.coresBetween(cpuBefore, OtherCpu.mark());
        long non2xx = loop.non2xx.sum();
        long errors = loop.errors.sum();

        loop.running = false;
        if (!loop.stopped.await(30, TimeUnit.SECONDS)) throw new IllegalStateException(name + ": requests hang");
        return new PhaseResult(name, connections, seconds, measured, non2xx, errors, otherCores);
    }

    private void next() {
        if (!running) {
            stopped.countDown();
            return;
        }
        long start = System.nanoTime();
        call.get().onComplete(reply -> {
            recorder.recordValue((System.nanoTime() - start) / 1000);
            if (reply.failed()) {
                errors.increment();
            } else if (!reply.result().ok()) {
                non2xx.increment();
            }
            next();
        });
    }
}
