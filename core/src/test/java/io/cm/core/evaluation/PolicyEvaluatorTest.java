package io.cm.core.evaluation;

import io.cm.core.policy.Application;
import io.cm.core.policy.Catalog;
import io.cm.core.policy.ConflictMode;
import io.cm.core.policy.Policy;
import io.cm.core.policy.Rule;
import io.cm.core.policy.Target;
import io.cm.core.session.Session;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyEvaluatorTest {

    // ---- fixtures -------------------------------------------------------------------------------

    private static Application app(String id, String tenant, String... policies) {
        return new Application(id, tenant, "Name of " + id, Optional.empty(), Arrays.asList(policies), Optional.empty());
    }

    private static Policy policy(String name, ConflictMode mode, Rule... rules) {
        return new Policy(name, List.of(rules), mode, Optional.empty());
    }

    private static Policy targeted(String name, Target target, Rule... rules) {
        return new Policy(name, List.of(rules), ConflictMode.LIFO, Optional.of(target));
    }

    private static Session session(String id, String appId, long startTime, Map<String, String> metadata) {
        return new Session(id, "T" + id, appId, startTime, startTime, startTime + 90_000, metadata);
    }

    private static Session session(String id, String appId, long startTime) {
        return session(id, appId, startTime, Map.of());
    }

    private static Candidate candidate(Map<String, String> metadata) {
        return new Candidate("new", "TNEW", 10_000, metadata);
    }

    private static Candidate candidate() {
        return candidate(Map.of());
    }

    private static Advice.RuleViolation onlyViolation(Evaluation evaluation) {
        assertThat(evaluation.decision()).isEqualTo(Decision.DENY);
        assertThat(evaluation.advice()).hasSize(1);
        return (Advice.RuleViolation) evaluation.advice().getFirst();
    }

    private static List<String> conflictIds(Advice.RuleViolation violation) {
        return violation.conflicts().stream().map(Conflict::sessionId).toList();
    }

    private static List<String> dismissedIds(Verdict verdict) {
        return verdict.dismissals().stream().map(d -> d.session().id()).toList();
    }

    private static final Rule MAX_3 = new Rule.MaxStreams(null, 3);

    // ---- max-streams ----------------------------------------------------------------------------

    @Test
    void thirdStreamWithinMaxStreamsThreeIsPermitted() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a), List.of(policy("p", ConflictMode.LIFO, MAX_3))));

        Verdict verdict = evaluator.evaluateStart(a, candidate(), List.of(session("s1", "a", 1), session("s2", "a", 2)));

        assertThat(verdict.evaluation().permits()).isTrue();
        assertThat(verdict.evaluation().advice()).isEmpty();
        assertThat(verdict.dismissals()).isEmpty();
    }

    @Test
    void fourthStreamBeyondMaxStreamsIsDeniedWithThreeConflicts() {
        Application a = app("a", "t", "demo-policy");
        PolicyEvaluator evaluator = new PolicyEvaluator(
                new Catalog(List.of(a), List.of(policy("demo-policy", ConflictMode.LIFO, MAX_3))));
        Map<String, String> meta = Map.of("deviceId", "device-789", "channel", "Channel1");
        List<Session> others = List.of(session("s1", "a", 1, meta), session("s2", "a", 2), session("s3", "a", 3));

        Verdict verdict = evaluator.evaluateStart(a, candidate(), others);

        Advice.RuleViolation violation = onlyViolation(verdict.evaluation());
        assertThat(violation.policy()).isEqualTo("demo-policy");
        assertThat(violation.rule()).isEqualTo("max_streams");
        assertThat(violation.message()).isEqualTo("You have reached your maximum of 3 concurrent streams");
        assertThat(violation.threshold()).isEqualTo(3);
        assertThat(violation.current()).isEqualTo(4);
        assertThat(violation.attribute()).isEmpty();
        assertThat(violation.value()).isEmpty();
        assertThat(violation.dismissedBy()).isEmpty();
        assertThat(violation.conflicts()).extracting(Conflict::sessionId, Conflict::terminationCode)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("s1", "Ts1"),
                        org.assertj.core.groups.Tuple.tuple("s2", "Ts2"),
                        org.assertj.core.groups.Tuple.tuple("s3", "Ts3"));
        Conflict first = violation.conflicts().getFirst();
        assertThat(first.applicationId()).isEqualTo("a");
        assertThat(first.applicationName()).isEqualTo("Name of a");
        assertThat(first.startTime()).isEqualTo(1);
        assertThat(first.metadata()).isEqualTo(meta);
        assertThat(verdict.dismissals()).isEmpty();
    }

    @Test
    void currentCountsEveryRelevantSessionPlusTheAttemptedOne() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(
                new Catalog(List.of(a), List.of(policy("p", ConflictMode.LIFO, new Rule.MaxStreams(null, 1)))));

        Verdict verdict = evaluator.evaluateStart(a, candidate(),
                List.of(session("s1", "a", 1), session("s2", "a", 2), session("s3", "a", 3), session("s4", "a", 4)));

        Advice.RuleViolation violation = onlyViolation(verdict.evaluation());
        assertThat(violation.threshold()).isEqualTo(1);
        assertThat(violation.current()).isEqualTo(5);
        assertThat(violation.conflicts()).hasSize(4);
    }

    @Test
    void ruleWithConfiguredNameIsReportedUnderThatName() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a),
                List.of(policy("p", ConflictMode.LIFO, new Rule.MaxStreams("family-plan", 1)))));

        Verdict verdict = evaluator.evaluateStart(a, candidate(), List.of(session("s1", "a", 1)));

        assertThat(onlyViolation(verdict.evaluation()).rule()).isEqualTo("family-plan");
    }

    @Test
    void conflictsAreListedOldestFirst() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(
                new Catalog(List.of(a), List.of(policy("p", ConflictMode.LIFO, new Rule.MaxStreams(null, 2)))));

        Verdict verdict = evaluator.evaluateStart(a, candidate(),
                List.of(session("late", "a", 30), session("early", "a", 10), session("middle", "a", 20)));

        assertThat(conflictIds(onlyViolation(verdict.evaluation()))).containsExactly("early", "middle", "late");
    }

    // ---- max-per-value --------------------------------------------------------------------------

    @Test
    void thirdStreamOnSameChannelBeyondMaxPerValueTwoIsDeniedListingOnlyThatChannel() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a),
                List.of(policy("p", ConflictMode.LIFO, new Rule.MaxPerValue(null, "channel", 2)))));
        List<Session> others = List.of(
                session("c1", "a", 1, Map.of("channel", "C1")),
                session("c2", "a", 2, Map.of("channel", "C1")),
                session("d1", "a", 3, Map.of("channel", "C2")));

        Verdict verdict = evaluator.evaluateStart(a, candidate(Map.of("channel", "C1")), others);

        Advice.RuleViolation violation = onlyViolation(verdict.evaluation());
        assertThat(violation.rule()).isEqualTo("max_per_value");
        assertThat(violation.threshold()).isEqualTo(2);
        assertThat(violation.current()).isEqualTo(3);
        assertThat(violation.attribute()).contains("channel");
        assertThat(violation.value()).contains("C1");
        assertThat(conflictIds(violation)).containsExactly("c1", "c2");
    }

    @Test
    void streamOnAnotherChannelIsPermittedWhenMaxPerValueIsReachedOnlyElsewhere() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a),
                List.of(policy("p", ConflictMode.LIFO, new Rule.MaxPerValue(null, "channel", 2)))));
        List<Session> others = List.of(
                session("c1", "a", 1, Map.of("channel", "C1")),
                session("c2", "a", 2, Map.of("channel", "C1")),
                session("d1", "a", 3, Map.of("channel", "C2")));

        Verdict verdict = evaluator.evaluateStart(a, candidate(Map.of("channel", "C2")), others);

        assertThat(verdict.evaluation().permits()).isTrue();
    }

    // ---- max-distinct ---------------------------------------------------------------------------

    @Test
    void thirdDistinctDeviceBeyondMaxDistinctTwoIsDeniedListingSessionsOfTheOtherDevices() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a),
                List.of(policy("p", ConflictMode.LIFO, new Rule.MaxDistinct(null, "deviceId", 2)))));
        List<Session> others = List.of(
                session("tv1", "a", 1, Map.of("deviceId", "tv")),
                session("tv2", "a", 2, Map.of("deviceId", "tv")),
                session("phone", "a", 3, Map.of("deviceId", "phone")));

        Verdict verdict = evaluator.evaluateStart(a, candidate(Map.of("deviceId", "tablet")), others);

        Advice.RuleViolation violation = onlyViolation(verdict.evaluation());
        assertThat(violation.rule()).isEqualTo("max_distinct");
        assertThat(violation.threshold()).isEqualTo(2);
        assertThat(violation.current()).isEqualTo(3);
        assertThat(violation.attribute()).contains("deviceId");
        assertThat(violation.value()).isEmpty();
        assertThat(conflictIds(violation)).containsExactly("tv1", "tv2", "phone");
    }

    @Test
    void anotherStreamOnAnAlreadyCountedDeviceDoesNotAddADistinctValue() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a),
                List.of(policy("p", ConflictMode.LIFO, new Rule.MaxDistinct(null, "deviceId", 2)))));
        List<Session> others = List.of(
                session("tv1", "a", 1, Map.of("deviceId", "tv")),
                session("tv2", "a", 2, Map.of("deviceId", "tv")),
                session("phone", "a", 3, Map.of("deviceId", "phone")));

        Verdict verdict = evaluator.evaluateStart(a, candidate(Map.of("deviceId", "phone")), others);

        assertThat(verdict.evaluation().permits()).isTrue();
    }

    // ---- conflict modes -------------------------------------------------------------------------

    @Test
    void lifoDenialLeavesExistingSessionsUntouched() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(
                new Catalog(List.of(a), List.of(policy("p", ConflictMode.LIFO, new Rule.MaxStreams(null, 1)))));

        Verdict verdict = evaluator.evaluateStart(a, candidate(), List.of(session("s1", "a", 1)));

        assertThat(verdict.evaluation().permits()).isFalse();
        assertThat(verdict.dismissals()).isEmpty();
    }

    @Test
    void fifoStartBeyondLimitIsPermittedAndDismissesTheOldestSession() {
        Application a = app("a", "t", "latest-wins");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a),
                List.of(policy("latest-wins", ConflictMode.FIFO, new Rule.MaxStreams(null, 2)))));
        Candidate candidate = new Candidate("new", "TNEW", 10_000, Map.of("deviceId", "d"));

        Verdict verdict = evaluator.evaluateStart(a, candidate,
                List.of(session("younger", "a", 20), session("oldest", "a", 5)));

        assertThat(verdict.evaluation().permits()).isTrue();
        assertThat(verdict.evaluation().advice()).isEmpty();
        assertThat(dismissedIds(verdict)).containsExactly("oldest");
        Advice.RuleViolation shown = verdict.dismissals().getFirst().advice();
        assertThat(shown.policy()).isEqualTo("latest-wins");
        assertThat(shown.rule()).isEqualTo("max_streams");
        assertThat(shown.threshold()).isEqualTo(2);
        assertThat(shown.current()).isEqualTo(3);
        assertThat(shown.dismissedBy()).contains("new");
        assertThat(shown.conflicts()).singleElement().satisfies(displacer -> {
            assertThat(displacer.sessionId()).isEqualTo("new");
            assertThat(displacer.terminationCode()).isEqualTo("TNEW");
            assertThat(displacer.applicationName()).isEqualTo("Name of a");
            assertThat(displacer.startTime()).isEqualTo(10_000);
            assertThat(displacer.metadata()).containsEntry("deviceId", "d");
        });
    }

    @Test
    void fifoDismissesAsManyOldestSessionsAsNeededToComplyAgain() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(
                new Catalog(List.of(a), List.of(policy("p", ConflictMode.FIFO, new Rule.MaxStreams(null, 2)))));

        Verdict verdict = evaluator.evaluateStart(a, candidate(),
                List.of(session("s3", "a", 3), session("s1", "a", 1), session("s4", "a", 4), session("s2", "a", 2)));

        assertThat(verdict.evaluation().permits()).isTrue();
        assertThat(dismissedIds(verdict)).containsExactlyInAnyOrder("s1", "s2", "s3");
    }

    @Test
    void fifoWithinLimitDismissesNothing() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(
                new Catalog(List.of(a), List.of(policy("p", ConflictMode.FIFO, new Rule.MaxStreams(null, 2)))));

        Verdict verdict = evaluator.evaluateStart(a, candidate(), List.of(session("s1", "a", 1)));

        assertThat(verdict.evaluation().permits()).isTrue();
        assertThat(verdict.dismissals()).isEmpty();
    }

    @Test
    void fifoPerValueDismissesOnlyTheOldestSessionOfTheSameValue() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a),
                List.of(policy("p", ConflictMode.FIFO, new Rule.MaxPerValue(null, "channel", 1)))));

        Verdict verdict = evaluator.evaluateStart(a, candidate(Map.of("channel", "C1")), List.of(
                session("otherChannelOldest", "a", 1, Map.of("channel", "C2")),
                session("sameChannel", "a", 2, Map.of("channel", "C1"))));

        assertThat(verdict.evaluation().permits()).isTrue();
        assertThat(dismissedIds(verdict)).containsExactly("sameChannel");
    }

    @Test
    void fifoMaxDistinctDismissesEverySessionOfTheLeastRecentlyStartedOtherValue() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a),
                List.of(policy("p", ConflictMode.FIFO, new Rule.MaxDistinct(null, "deviceId", 2)))));
        List<Session> others = List.of(
                session("tvOld", "a", 1, Map.of("deviceId", "tv")),
                session("phoneA", "a", 2, Map.of("deviceId", "phone")),
                session("phoneB", "a", 3, Map.of("deviceId", "phone")),
                session("tvNew", "a", 4, Map.of("deviceId", "tv")));

        Verdict verdict = evaluator.evaluateStart(a, candidate(Map.of("deviceId", "tablet")), others);

        assertThat(verdict.evaluation().permits()).isTrue();
        assertThat(dismissedIds(verdict)).containsExactlyInAnyOrder("phoneA", "phoneB");
    }

    @Test
    void startDeniedByALifoPolicyDismissesNothingEvenIfAFifoPolicyAlsoFails() {
        Application a = app("a", "t", "block", "latest");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a), List.of(
                policy("block", ConflictMode.LIFO, new Rule.MaxPerValue(null, "channel", 1)),
                policy("latest", ConflictMode.FIFO, new Rule.MaxStreams(null, 2)))));

        Verdict verdict = evaluator.evaluateStart(a, candidate(Map.of("channel", "C1")), List.of(
                session("s1", "a", 1, Map.of("channel", "C1")),
                session("s2", "a", 2, Map.of("channel", "C2"))));

        assertThat(onlyViolation(verdict.evaluation()).policy()).isEqualTo("block");
        assertThat(verdict.dismissals()).isEmpty();
    }

    @Test
    void fifoPolicyDismissesWhenTheLifoPolicyBesideItIsSatisfied() {
        Application a = app("a", "t", "block", "latest");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a), List.of(
                policy("block", ConflictMode.LIFO, new Rule.MaxPerValue(null, "channel", 1)),
                policy("latest", ConflictMode.FIFO, new Rule.MaxStreams(null, 2)))));

        Verdict verdict = evaluator.evaluateStart(a, candidate(Map.of("channel", "C3")), List.of(
                session("s1", "a", 1, Map.of("channel", "C1")),
                session("s2", "a", 2, Map.of("channel", "C2"))));

        assertThat(verdict.evaluation().permits()).isTrue();
        assertThat(dismissedIds(verdict)).containsExactly("s1");
    }

    @Test
    void sessionBrokenByTwoFifoRulesIsDismissedOnce() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a), List.of(policy("p", ConflictMode.FIFO,
                new Rule.MaxStreams(null, 1), new Rule.MaxPerValue(null, "channel", 1)))));

        Verdict verdict = evaluator.evaluateStart(a, candidate(Map.of("channel", "C1")),
                List.of(session("s1", "a", 1, Map.of("channel", "C1"))));

        assertThat(dismissedIds(verdict)).containsExactly("s1");
    }

    // ---- relevant activity: targets and applications --------------------------------------------

    @Test
    void sessionOutsideThePolicyTargetIsNotEvaluatedByIt() {
        Application a = app("a", "t", "live-only");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a), List.of(
                targeted("live-only", new Target("contentType", Set.of("live")), new Rule.MaxStreams(null, 1)))));

        Verdict verdict = evaluator.evaluateStart(a, candidate(Map.of("contentType", "vod")),
                List.of(session("live1", "a", 1, Map.of("contentType", "live"))));

        assertThat(verdict.evaluation().permits()).isTrue();
    }

    @Test
    void sessionsOutsideThePolicyTargetDoNotCountForIt() {
        Application a = app("a", "t", "live-only");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a), List.of(
                targeted("live-only", new Target("contentType", Set.of("live", "event")), new Rule.MaxStreams(null, 1)))));

        Verdict permitted = evaluator.evaluateStart(a, candidate(Map.of("contentType", "live")), List.of(
                session("vod1", "a", 1, Map.of("contentType", "vod")),
                session("none", "a", 2, Map.of())));
        Verdict denied = evaluator.evaluateStart(a, candidate(Map.of("contentType", "live")), List.of(
                session("vod1", "a", 1, Map.of("contentType", "vod")),
                session("event1", "a", 2, Map.of("contentType", "event"))));

        assertThat(permitted.evaluation().permits()).isTrue();
        Advice.RuleViolation violation = onlyViolation(denied.evaluation());
        assertThat(violation.current()).isEqualTo(2);
        assertThat(conflictIds(violation)).containsExactly("event1");
    }

    @Test
    void sessionsOfApplicationsNotReferencingThePolicyDoNotCountForIt() {
        Application a = app("a", "t", "p");
        Application unrelated = app("unrelated", "t", "q");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a, unrelated), List.of(
                policy("p", ConflictMode.LIFO, new Rule.MaxStreams(null, 1)),
                policy("q", ConflictMode.LIFO, new Rule.MaxStreams(null, 10)))));

        Verdict verdict = evaluator.evaluateStart(a, candidate(),
                List.of(session("u1", "unrelated", 1), session("u2", "unrelated", 2)));

        assertThat(verdict.evaluation().permits()).isTrue();
    }

    @Test
    void sessionsOfAnotherApplicationSharingThePolicyCountAndAreListedWithItsName() {
        Application a = app("a", "t1", "shared");
        Application b = app("b", "t2", "shared");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a, b),
                List.of(policy("shared", ConflictMode.LIFO, new Rule.MaxStreams(null, 1)))));

        Verdict verdict = evaluator.evaluateStart(a, candidate(), List.of(session("b1", "b", 1)));

        Advice.RuleViolation violation = onlyViolation(verdict.evaluation());
        assertThat(violation.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.applicationId()).isEqualTo("b");
            assertThat(c.applicationName()).isEqualTo("Name of b");
        });
    }

    // ---- several policies -----------------------------------------------------------------------

    @Test
    void startIsDeniedWhenEitherOfTwoPoliciesDenies() {
        Application a = app("a", "t", "streams", "channels");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a), List.of(
                policy("streams", ConflictMode.LIFO, new Rule.MaxStreams(null, 5)),
                policy("channels", ConflictMode.LIFO, new Rule.MaxPerValue(null, "channel", 1)))));

        Verdict verdict = evaluator.evaluateStart(a, candidate(Map.of("channel", "C1")),
                List.of(session("s1", "a", 1, Map.of("channel", "C1"))));

        Advice.RuleViolation violation = onlyViolation(verdict.evaluation());
        assertThat(violation.policy()).isEqualTo("channels");
    }

    @Test
    void everyBrokenRuleOfEveryPolicyGetsItsOwnAdvice() {
        Application a = app("a", "t", "streams", "channels");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a), List.of(
                policy("streams", ConflictMode.LIFO, new Rule.MaxStreams(null, 1)),
                policy("channels", ConflictMode.LIFO, new Rule.MaxPerValue(null, "channel", 1)))));

        Verdict verdict = evaluator.evaluateStart(a, candidate(Map.of("channel", "C1")),
                List.of(session("s1", "a", 1, Map.of("channel", "C1"))));

        assertThat(verdict.evaluation().permits()).isFalse();
        assertThat(verdict.evaluation().advice()).hasSize(2)
                .allSatisfy(advice -> assertThat(advice).isInstanceOf(Advice.RuleViolation.class))
                .extracting(advice -> ((Advice.RuleViolation) advice).policy() + "/" + ((Advice.RuleViolation) advice).rule())
                .containsExactly("streams/max_streams", "channels/max_per_value");
    }

    @Test
    void startIsPermittedWhenEveryPolicyPermits() {
        Application a = app("a", "t", "streams", "channels");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a), List.of(
                policy("streams", ConflictMode.LIFO, new Rule.MaxStreams(null, 2)),
                policy("channels", ConflictMode.LIFO, new Rule.MaxPerValue(null, "channel", 1)))));

        Verdict verdict = evaluator.evaluateStart(a, candidate(Map.of("channel", "C2")),
                List.of(session("s1", "a", 1, Map.of("channel", "C1"))));

        assertThat(verdict.evaluation().permits()).isTrue();
    }

    // ---- heartbeats -----------------------------------------------------------------------------

    @Test
    void heartbeatAtTheLimitIsPermittedBecauseTheSessionCountsOnlyOnce() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a), List.of(policy("p", ConflictMode.LIFO, MAX_3))));
        Candidate beating = new Candidate("s1", "Ts1", 1, Map.of());

        Verdict verdict = evaluator.evaluateHeartbeat(a, beating, Map.of(),
                List.of(session("s2", "a", 2), session("s3", "a", 3)));

        assertThat(verdict.evaluation().permits()).isTrue();
        assertThat(verdict.dismissals()).isEmpty();
    }

    @Test
    void heartbeatWhoseMetadataChangeBreaksALifoRuleIsDenied() {
        Application a = app("a", "t", "live-only");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a), List.of(
                targeted("live-only", new Target("contentType", Set.of("live")), new Rule.MaxStreams(null, 1)))));
        Candidate nowLive = new Candidate("s1", "Ts1", 1, Map.of("contentType", "live"));

        Verdict verdict = evaluator.evaluateHeartbeat(a, nowLive, Map.of("contentType", "vod"),
                List.of(session("s2", "a", 2, Map.of("contentType", "live"))));

        Advice.RuleViolation violation = onlyViolation(verdict.evaluation());
        assertThat(violation.current()).isEqualTo(2);
        assertThat(conflictIds(violation)).containsExactly("s2");
        assertThat(verdict.dismissals()).isEmpty();
    }

    @Test
    void heartbeatUnderALoweredLifoLimitIsPermittedAndDismissesNothing() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(
                new Catalog(List.of(a), List.of(policy("p", ConflictMode.LIFO, new Rule.MaxStreams(null, 1)))));

        Verdict oldest = evaluator.evaluateHeartbeat(a, new Candidate("s1", "Ts1", 1, Map.of()), Map.of(),
                List.of(session("s2", "a", 2), session("s3", "a", 3)));
        Verdict newest = evaluator.evaluateHeartbeat(a, new Candidate("s3", "Ts3", 3, Map.of()), Map.of(),
                List.of(session("s1", "a", 1), session("s2", "a", 2)));

        assertThat(oldest).isEqualTo(newest);
        assertThat(oldest.evaluation().permits()).isTrue();
        assertThat(oldest.dismissals()).isEmpty();
    }

    @Test
    void heartbeatOfTheOldestUnderALoweredFifoLimitIsDeniedListingTheSessionsThatStay() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(
                new Catalog(List.of(a), List.of(policy("p", ConflictMode.FIFO, new Rule.MaxStreams(null, 1)))));

        Verdict verdict = evaluator.evaluateHeartbeat(a, new Candidate("s1", "Ts1", 1, Map.of()), Map.of(),
                List.of(session("s2", "a", 2)));

        Advice.RuleViolation violation = onlyViolation(verdict.evaluation());
        assertThat(violation.policy()).isEqualTo("p");
        assertThat(violation.threshold()).isEqualTo(1);
        assertThat(violation.current()).isEqualTo(2);
        assertThat(conflictIds(violation)).containsExactly("s2");
        assertThat(verdict.dismissals()).isEmpty();
    }

    @Test
    void heartbeatOfANewerSessionUnderALoweredFifoLimitDismissesEveryOlderOneBeyondIt() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(
                new Catalog(List.of(a), List.of(policy("p", ConflictMode.FIFO, new Rule.MaxStreams(null, 1)))));

        Verdict verdict = evaluator.evaluateHeartbeat(a, new Candidate("s3", "Ts3", 3, Map.of()), Map.of(),
                List.of(session("s2", "a", 2), session("s1", "a", 1)));

        assertThat(verdict.evaluation().permits()).isTrue();
        assertThat(dismissedIds(verdict)).containsExactly("s1", "s2");
        assertThat(verdict.dismissals()).allSatisfy(d -> {
            assertThat(d.advice().threshold()).isEqualTo(1);
            assertThat(d.advice().conflicts()).extracting(Conflict::sessionId).containsExactly("s3");
        });
    }

    @Test
    void aMiddleSessionUnderALoweredFifoLimitIsDeniedWhileTheOlderBeyondTheLimitIsLeftToItsOwnHeartbeat() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(
                new Catalog(List.of(a), List.of(policy("p", ConflictMode.FIFO, new Rule.MaxStreams(null, 1)))));

        Verdict verdict = evaluator.evaluateHeartbeat(a, new Candidate("s2", "Ts2", 2, Map.of()), Map.of(),
                List.of(session("s1", "a", 1), session("s3", "a", 3)));

        assertThat(conflictIds(onlyViolation(verdict.evaluation()))).containsExactly("s3");
        assertThat(verdict.dismissals()).isEmpty();
    }

    @Test
    void underALoweredFifoPerValueLimitOnlyTheOldestOfTheSameValueIsDismissed() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a), List.of(
                policy("p", ConflictMode.FIFO, new Rule.MaxPerValue(null, "channel", 1)))));

        Verdict verdict = evaluator.evaluateHeartbeat(a, new Candidate("s4", "Ts4", 4, Map.of("channel", "A")),
                Map.of("channel", "A"), List.of(session("s1", "a", 1, Map.of("channel", "B")),
                        session("s2", "a", 2, Map.of("channel", "A")), session("s3", "a", 3, Map.of("channel", "B"))));

        assertThat(verdict.evaluation().permits()).isTrue();
        assertThat(dismissedIds(verdict)).containsExactly("s2");
    }

    @Test
    void underALoweredFifoDistinctLimitEverySessionOfTheLeastRecentValuesIsDismissed() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a), List.of(
                policy("p", ConflictMode.FIFO, new Rule.MaxDistinct(null, "deviceId", 1)))));

        Verdict verdict = evaluator.evaluateHeartbeat(a, new Candidate("s4", "Ts4", 4, Map.of("deviceId", "tv")),
                Map.of("deviceId", "tv"), List.of(session("s1", "a", 1, Map.of("deviceId", "tv")),
                        session("s2", "a", 2, Map.of("deviceId", "phone")),
                        session("s3", "a", 3, Map.of("deviceId", "phone"))));

        assertThat(verdict.evaluation().permits()).isTrue();
        assertThat(dismissedIds(verdict)).containsExactly("s2", "s3");
    }

    @Test
    void heartbeatWhoseMetadataChangeBreaksAFifoRuleKeepsItAndDismissesTheOldestOther() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(new Catalog(List.of(a), List.of(new Policy("p",
                List.of(new Rule.MaxStreams(null, 1)), ConflictMode.FIFO,
                Optional.of(new Target("contentType", Set.of("live")))))));

        Verdict verdict = evaluator.evaluateHeartbeat(a, new Candidate("s1", "Ts1", 1, Map.of("contentType", "live")),
                Map.of("contentType", "vod"), List.of(session("s2", "a", 2, Map.of("contentType", "live"))));

        assertThat(verdict.evaluation().permits()).isTrue();
        assertThat(dismissedIds(verdict)).containsExactly("s2");
        assertThat(verdict.dismissals().getFirst().advice().dismissedBy()).contains("s1");
    }

    @Test
    void evaluationIsPureSoTheSameInputsGiveTheSameVerdict() {
        Application a = app("a", "t", "p");
        PolicyEvaluator evaluator = new PolicyEvaluator(
                new Catalog(List.of(a), List.of(policy("p", ConflictMode.FIFO, new Rule.MaxStreams(null, 1)))));
        List<Session> others = new ArrayList<>(List.of(session("s2", "a", 2), session("s1", "a", 1)));

        Verdict first = evaluator.evaluateStart(a, candidate(), others);
        Verdict second = evaluator.evaluateStart(a, candidate(), others);

        assertThat(first).isEqualTo(second);
        assertThat(others).extracting(Session::id).containsExactly("s2", "s1");
    }
}
