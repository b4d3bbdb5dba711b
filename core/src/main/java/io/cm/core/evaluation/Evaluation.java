package io.cm.core.evaluation;

import java.util.List;

/** The evaluation result of a decision, as the 409/400 bodies carry it. */
public record Evaluation(Decision decision, List<Advice> advice, List<Obligation> obligations) {
    public Evaluation {
        advice = List.copyOf(advice);
        obligations = List.copyOf(obligations);
    }

    public static Evaluation deny(List<? extends Advice> advice) {
        return new Evaluation(Decision.DENY, List.copyOf(advice), List.of());
    }

    public static Evaluation missingMetadata(List<String> missingKeys) {
        return new Evaluation(Decision.DENY, List.of(), List.of(Obligation.refreshMetadata(missingKeys)));
    }

    public boolean permits() {
        return decision == Decision.PERMIT;
    }
}
