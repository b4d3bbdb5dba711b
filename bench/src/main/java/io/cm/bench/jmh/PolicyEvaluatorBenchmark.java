package io.cm.bench.jmh;

import io.cm.core.evaluation.Candidate;
import io.cm.core.evaluation.PolicyEvaluator;
import io.cm.core.evaluation.Verdict;
import io.cm.core.policy.Application;
import io.cm.core.policy.Catalog;
import io.cm.core.policy.ConflictMode;
import io.cm.core.policy.Policy;
import io.cm.core.policy.Rule;
import io.cm.core.session.Session;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The decision alone, without HTTP or store: a subscriber at its limit of 3 streams under two
 * policies (max-streams and max-per-value on a channel), evaluated for a new start (denied, with
 * conflicts) and for a heartbeat of a running session (permitted).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PolicyEvaluatorBenchmark {

    private PolicyEvaluator evaluator;
    private Application app;
    private List<Session> running;
    private List<Session> othersOfS2;
    private Candidate newStart;
    private Candidate heartbeat;

    @Setup
    public void setUp() {
        Policy streams = new Policy("streams", List.of(new Rule.MaxStreams(null, 3)), ConflictMode.LIFO, Optional.empty());
        Policy channels = new Policy("channels", List.of(new Rule.MaxPerValue(null, "channel", 2)), ConflictMode.LIFO,
                Optional.empty());
        app = new Application("app", "tenant", "App", Optional.empty(), List.of("streams", "channels"), Optional.empty());
        evaluator = new PolicyEvaluator(new Catalog(List.of(app), List.of(streams, channels)));
        running = List.of(session("s1", "news"), session("s2", "sport"), session("s3", "news"));
        othersOfS2 = List.of(running.get(0), running.get(2));
        newStart = new Candidate("s4", "CODE04", 4_000, metadata("s4", "news"));
        heartbeat = new Candidate("s2", "CODEs2", 2_000, metadata("s2", "sport"));
    }

    private static Session session(String id, String channel) {
        return new Session(id, "CODE" + id, "app", 1_000, 1_000, 91_000, metadata(id, channel));
    }

    private static Map<String, String> metadata(String device, String channel) {
        return Map.of("deviceId", device, "deviceName", "Living room TV", "channel", channel, "contentType", "live");
    }

    @Benchmark
    public Verdict deniedStartWithConflicts() {
        return evaluator.evaluateStart(app, newStart, running);
    }

    @Benchmark
    public Verdict permittedHeartbeat() {
        return evaluator.evaluateHeartbeat(app, heartbeat, heartbeat.metadata(), othersOfS2);
    }
}
