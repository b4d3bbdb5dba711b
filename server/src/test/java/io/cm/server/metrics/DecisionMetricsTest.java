package io.cm.server.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Decisions are counted by operation, outcome, application and policy, in a bounded number of series. */
class DecisionMetricsTest {

    @Test
    void decisionsAreCountedByApplicationAndPolicy() {
        ServerMetrics metrics = new ServerMetrics(() -> 0);

        metrics.decision("init", "deny", "demo-app", "demo-policy");
        metrics.decision("init", "deny", "demo-app", "demo-policy");
        metrics.decision("init", "permit", "demo-app", ServerMetrics.NO_POLICY);

        assertThat(metrics.scrape())
                .contains("cm_decisions_total{application=\"demo-app\",operation=\"init\",outcome=\"deny\","
                        + "policy=\"demo-policy\"} 2.0")
                .contains("cm_decisions_total{application=\"demo-app\",operation=\"init\",outcome=\"permit\","
                        + "policy=\"none\"} 1.0");
    }

    @Test
    void pastTheSeriesCapNewCombinationsAreCountedAsOther() {
        ServerMetrics metrics = new ServerMetrics(() -> 0);
        for (int i = 0; i < ServerMetrics.MAX_DECISION_SERIES; i++) metrics.decision("init", "permit", "app-" + i, "p");

        metrics.decision("init", "permit", "one-too-many", "p");
        metrics.decision("init", "permit", "and-another", "q");

        String scrape = metrics.scrape();
        assertThat(scrape).doesNotContain("one-too-many").doesNotContain("and-another")
                .contains("cm_decisions_total{application=\"other\",operation=\"init\",outcome=\"permit\","
                        + "policy=\"other\"} 2.0");
        assertThat(scrape.lines().filter(line -> line.startsWith("cm_decisions_total{")).count())
                .isEqualTo(ServerMetrics.MAX_DECISION_SERIES + 1);
    }
}
