package io.cm.client;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * The service refused a start (409) or dismissed a running session (FIFO, 409 on its heartbeat)
 * because a concurrency rule is broken. Carries the parsed evaluation: the {@link #violations()} with
 * their rule, threshold and count, the {@link #sessions()} the user could stop, a user-facing
 * {@link #explain()}, and {@link #retryTerminating} to start again in place of the sessions the user picks.
 *
 * <p>The user's selection is kept: a retry sends the metadata of the original start ({@link #metadata()}).
 * A conflict may list no session at all (they belong to applications this one may not see);
 * {@link #hasResolvableConflicts()} then says false and {@link #explain()} says what the user can do.
 */
public final class ConcurrencyConflict extends ConcurrencyException {

    /** The broken rules. */
    private final List<RuleViolation> violations;
    /** The answer's {@code Date}, or null: what start times are told relative to. */
    private final Instant serverTime;
    private final transient StartRequest request;
    private final transient ConcurrencyClient client;

    ConcurrencyConflict(List<RuleViolation> violations, Optional<Instant> serverTime, StartRequest request,
                        ConcurrencyClient client) {
        super(summary(violations), OptionalInt.of(409), Optional.of("POLICY_VIOLATION"), null);
        this.violations = List.copyOf(violations);
        this.serverTime = serverTime.orElse(null);
        this.request = request;
        this.client = client;
    }

    private static String summary(List<RuleViolation> violations) {
        if (violations.isEmpty()) return "HTTP 409: concurrent usage limit exceeded";
        StringBuilder summary = new StringBuilder("HTTP 409: concurrent usage limit exceeded:");
        for (RuleViolation v : violations) {
            summary.append(' ').append(v.policy()).append('/').append(v.rule()).append(' ').append(v.current())
                    .append(" > ").append(v.threshold()).append(" (").append(v.conflicts().size()).append(" conflicts)");
        }
        return summary.toString();
    }

    /**
     * The broken rules.
     *
     * @return the rule violations, in the service's order; empty if the service gave no rule-violation advice
     */
    public List<RuleViolation> violations() {
        return violations;
    }

    /**
     * Every session the user could stop, each once, across all violations: the choices to show.
     *
     * @return the sessions, in the order of the violations and their conflicts; possibly empty
     */
    public List<ActiveSession> sessions() {
        Map<String, ActiveSession> distinct = new LinkedHashMap<>();
        for (RuleViolation v : violations) v.conflicts().forEach(s -> distinct.putIfAbsent(s.sessionId(), s));
        return List.copyOf(distinct.values());
    }

    /**
     * Whether the user can resolve the conflict from here.
     *
     * @return true when every broken rule lists at least one session to stop
     */
    public boolean hasResolvableConflicts() {
        return !violations.isEmpty() && violations.stream().noneMatch(v -> v.conflicts().isEmpty());
    }

    /**
     * A text for the user: the limit reached, then the sessions they can stop, numbered as in
     * {@link #sessions()} (or, when there are none to show, what else they can do).
     *
     * @return the text, in English, several lines
     */
    public String explain() {
        return ConflictExplanation.of(violations, sessions(), Optional.ofNullable(serverTime));
    }

    /**
     * The metadata of the start this conflict answered: the user's selection, which a retry sends again.
     *
     * @return the metadata, unmodifiable
     */
    public Map<String, String> metadata() {
        return request.metadata();
    }

    /**
     * Starts again with the original metadata, asking the service to end the sessions of
     * {@code terminationCodes} ({@code X-Terminate}) in the same step. Codes named by earlier retries of
     * the same start are sent again, since the service evaluates a retry as if only the named sessions
     * had ended. Codes of sessions that have ended meanwhile are ignored by the service.
     *
     * @param terminationCodes the codes of the sessions the user picked, from {@link #sessions()}
     * @return the session started in their place
     * @throws ConcurrencyConflict  if the start is still refused, with the fresh evaluation
     * @throws ConcurrencyException for the failures of {@link ConcurrencyClient#start}
     */
    public StreamSession retryTerminating(String... terminationCodes) throws ConcurrencyException {
        return Waits.result(client.start(request.terminating(Arrays.asList(terminationCodes))));
    }

    /**
     * {@link #retryTerminating} without waiting, as {@link ConcurrencyClient#startAsync}.
     *
     * @param terminationCodes the codes of the sessions the user picked, from {@link #sessions()}
     * @return the session started in their place; fails with the {@link ConcurrencyException} the blocking
     *         form throws, a fresh {@link ConcurrencyConflict} if the start is still refused
     */
    public CompletableFuture<StreamSession> retryTerminatingAsync(String... terminationCodes) {
        return client.toCaller(client.start(request.terminating(Arrays.asList(terminationCodes))));
    }
}
