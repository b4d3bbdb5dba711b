package io.cm.bench;

import java.io.PrintStream;
import java.util.List;

/** The plain-text report of a {@link LoadRun}: one row per phase, then the ratios to the bare ceiling. */
final class ResultTable {

    /** The target: heartbeats at no less than this share of the bare HTTP ceiling. */
    static final double HEARTBEAT_TARGET = 0.6;
    /** Bare runs further apart than this share mean the machine was busy with other work during the run. */
    private static final double STABLE_SPREAD = 0.2;

    private static final String ROW = "%-14s %6s %10s %10s %9s %9s %8s %7s %7s%n";

    private ResultTable() {
    }

    static void print(PrintStream out, List<PhaseResult> bare, List<PhaseResult> ours) {
        out.printf(ROW, "phase", "conns", "requests", "req/s", "p50 ms", "p99 ms", "non-2xx", "errors", "others");
        bare.stream().limit(1).forEach(result -> row(out, result));
        ours.forEach(result -> row(out, result));
        bare.stream().skip(1).forEach(result -> row(out, result));
        out.println("(others: cores used by other processes of the machine during the phase; near 0 = undisturbed)");
        out.println();

        // Interference only ever lowers throughput, so the better bare run is the ceiling.
        double min = bare.stream().mapToDouble(PhaseResult::requestsPerSecond).min().orElseThrow();
        double ceiling = bare.stream().mapToDouble(PhaseResult::requestsPerSecond).max().orElseThrow();
        double spread = (ceiling - min) / ceiling;
        out.printf("bare ceiling = %.0f req/s (the better bare run; the other is %.0f%% lower%s)%n", ceiling,
                spread * 100, spread > STABLE_SPREAD ? ": the machine was busy, ratios unreliable, run again" : "");
        for (PhaseResult result : ours) {
            double ratio = result.requestsPerSecond() / ceiling;
            out.printf("%-9s / bare = %.2f%n", result.name(), ratio);
            if (result.name().equals("heartbeat")) {
                out.printf("target heartbeat >= %.2f x bare: %s%n", HEARTBEAT_TARGET,
                        ratio >= HEARTBEAT_TARGET ? "MET" : "NOT MET");
            }
        }
    }

    private static void row(PrintStream out, PhaseResult r) {
        out.printf(ROW, r.name(), r.connections(), r.requests(), String.format("%.0f", r.requestsPerSecond()),
                String.format("%.2f", r.p50Millis()), String.format("%.2f", r.p99Millis()), r.non2xx(), r.errors(),
                Double.isNaN(r.otherCores()) ? "n/a" : String.format("%.2f", r.otherCores()));
    }
}
