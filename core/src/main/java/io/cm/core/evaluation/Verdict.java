package io.cm.core.evaluation;

import java.util.List;

/** An evaluation plus the FIFO dismissals that a permitted start entails. */
public record Verdict(Evaluation evaluation, List<Dismissal> dismissals) {
    public Verdict {
        dismissals = List.copyOf(dismissals);
    }
}
