package io.cm.client;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Writes {@link ConcurrencyConflict#explain()}: the seed's advice for a 409 (explain the limit, show
 * the active sessions and the choices, say what to do when there is nothing to choose). Start times
 * are told relative to the service's {@code Date}, so a wrong device clock cannot make them absurd;
 * without a {@code Date}, as the time of day in UTC.
 */
final class ConflictExplanation {

    private static final DateTimeFormatter ABSOLUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    private ConflictExplanation() {
    }

    static String of(List<RuleViolation> violations, List<ActiveSession> sessions, Optional<Instant> serverNow) {
        StringBuilder text = new StringBuilder();
        if (violations.isEmpty()) text.append("You have reached the maximum number of streams you can watch at once.\n");
        for (RuleViolation v : violations) {
            text.append(v.message().orElseGet(() -> "You have reached a limit of " + v.threshold() + " streams ("
                    + v.rule() + ")")).append(".\n");
        }
        if (sessions.isEmpty()) {
            return text.append("The streams counted against this limit cannot be stopped from here: "
                    + "stop one on another device, then try again.").toString();
        }
        text.append("To watch here, stop one of these streams:");
        int number = 0;
        for (ActiveSession session : sessions) {
            text.append("\n  ").append(++number).append(". ").append(describe(session, serverNow));
        }
        return text.toString();
    }

    private static String describe(ActiveSession session, Optional<Instant> serverNow) {
        StringBuilder line = new StringBuilder(session.applicationName().orElse("A stream"));
        if (!session.metadata().isEmpty()) {
            line.append(" (").append(new TreeMap<>(session.metadata()).entrySet().stream()
                    .map(Map.Entry::toString).collect(Collectors.joining(", "))).append(')');
        }
        session.startTime().ifPresent(started -> line.append(", ").append(started(started, serverNow)));
        return line.toString();
    }

    private static String started(Instant started, Optional<Instant> serverNow) {
        if (serverNow.isEmpty()) return "started at " + ABSOLUTE.format(started);
        long minutes = Math.max(0, Duration.between(started, serverNow.get()).toMinutes());
        if (minutes < 1) return "started less than a minute ago";
        if (minutes < 60) return "started " + minutes + " min ago";
        return "started " + minutes / 60 + " h " + minutes % 60 + " min ago";
    }
}
