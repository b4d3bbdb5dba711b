package io.cm.server.web;

import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rules of {@code /js/cm-client.js} that a real server cannot be made to show on demand (SPEC §7, the
 * same as the Java client's): the script runs in the browser as served, against a {@code fetch} that answers
 * what each test scripts, in real time with leases of a second or two. The service's clock in these answers
 * is in 2001, so a schedule taken from the device's clock would be years off.
 */
class ClientScriptTest {

    /** Defines, for each test's script: {@code m} (the module), {@code service(answers)}, {@code started}, {@code sleep}. */
    private static final String PRELUDE = """
            const m = await import('/js/cm-client.js');
            const T0 = Date.UTC(2001, 0, 1);
            const lease = (seconds) => ({ Date: new Date(T0).toUTCString(), Expires: new Date(T0 + seconds * 1000).toUTCString() });
            const started = (id, seconds) => ({ status: 202, headers: { ...lease(seconds), Location: id } });
            const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
            const service = (answers) => {
              const calls = [];
              const t0 = performance.now();
              const fetch = async (url, init) => {
                calls.push({ url, method: init.method, terminate: init.headers['X-Terminate'] ?? null,
                             body: init.body ?? null, at: Math.round(performance.now() - t0) });
                const next = answers.shift();
                if (next === undefined) throw new TypeError('no answer scripted');
                if (next instanceof Error) throw next;
                return new Response(next.body ?? null, { status: next.status, headers: next.headers ?? {} });
              };
              const client = (options = {}) => new m.ConcurrencyClient(
                  { applicationId: 'demo-app', baseUrl: 'http://cm.test', fetch, ...options });
              return { calls, client };
            };
            const failure = (e) => ({ type: e.constructor.name, status: e.status ?? null, code: e.code ?? null,
                                      message: e.message, retryAfterMs: e.retryAfterMs ?? null });
            """;

    private static TestServer server;
    private static Browser browser;

    @BeforeAll
    static void start() {
        server = TestServer.demo();
        browser = Browser.start();
        browser.openTab(server.uri("/demo/player"));
    }

    @AfterAll
    static void stop() throws Exception {
        Browser.closeBefore(browser, server);
    }

    /** A fresh page for every test: no timer or session of a test outlives it. */
    @BeforeEach
    void freshPage() {
        browser.driver().get(server.uri("/demo/player").toString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> run(String script) {
        Object result = browser.runAsync(PRELUDE + script);
        assertThat(result).as("the script's result").isInstanceOf(Map.class);
        assertThat((Map<String, Object>) result).as("the script failed").doesNotContainKey("scriptError");
        return (Map<String, Object>) result;
    }

    private static long number(Object value) {
        return ((Number) value).longValue();
    }

    @Test
    @SuppressWarnings("unchecked")
    void heartbeatsGoOutATenthBeforeTheLeaseOfExpiresMinusDateEndsWhateverTheDeviceClock() {
        Map<String, Object> result = run("""
                const s = service([started('s1', 2), { status: 202, headers: lease(2) }]);
                const session = await s.client().start('idp', 'alice', { channel: 'News' });
                const leaseLeft = session.expiresAt.getTime() - Date.now();
                await sleep(2300);
                return { leaseLeft, calls: s.calls.map((c) => [c.method, c.url, c.at]) };
                """);

        assertThat(number(result.get("leaseLeft"))).isBetween(1500L, 2000L);
        List<List<Object>> calls = (List<List<Object>>) result.get("calls");
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).subList(0, 2)).containsExactly("POST", "http://cm.test/v2/sessions/idp/alice");
        assertThat(calls.get(1).subList(0, 2)).containsExactly("POST", "http://cm.test/v2/sessions/idp/alice/s1");
        assertThat(number(calls.get(1).get(2)) - number(calls.get(0).get(2))).isBetween(1700L, 2500L);
    }

    @Test
    void aStartWhoseAnswerIsLostIsNotSentTwiceSinceItMayHaveStartedAStream() {
        Map<String, Object> result = run("""
                const s = service([new TypeError('Failed to fetch'), started('s2', 60)]);
                try {
                  await s.client().start('idp', 'bob', {});
                  return { started: true };
                } catch (e) {
                  return { ...failure(e), calls: s.calls.length };
                }
                """);

        assertThat(result).containsEntry("type", "ConcurrencyError").containsEntry("status", null)
                .containsEntry("calls", 1L);
        assertThat((String) result.get("message")).contains("not sent again");
    }

    @Test
    @SuppressWarnings("unchecked")
    void a503IsWaitedOutForTheLongerOfRetryAfterAndExpiresMinusDateThenRetried() {
        Map<String, Object> result = run("""
                const busy = { status: 503, headers: { ...lease(1), 'Retry-After': '0', 'Content-Type': 'application/json' },
                               body: '{"status":"error","error":{"code":"STORE_UNAVAILABLE","message":"retry later"}}' };
                const waits = [];
                const s = service([busy, started('s3', 60)]);
                const session = await s.client({ onWait: (w) => waits.push(w) }).start('idp', 'carol', {});
                return { id: session.id, waits, gap: s.calls[1].at - s.calls[0].at };
                """);

        assertThat(result).containsEntry("id", "s3");
        assertThat(number(result.get("gap"))).isBetween(1000L, 1600L);
        List<Map<String, Object>> waits = (List<Map<String, Object>>) result.get("waits");
        assertThat(waits).singleElement().satisfies(wait -> {
            assertThat(wait).containsEntry("what", "start").containsEntry("status", 503L).containsEntry("attempt", 1L);
            assertThat(number(wait.get("delayMs"))).isBetween(1000L, 1100L);
        });
    }

    @Test
    void aWaitLongerThanTheClientMayWaitIsNotWaitedButToldWithItsLength() {
        Map<String, Object> result = run("""
                const s = service([{ status: 429, headers: { ...lease(600), 'Retry-After': '600' },
                                     body: '{"status":"error","error":{"code":"THROTTLED","message":"Too many starts"}}' }]);
                const before = performance.now();
                try {
                  await s.client().start('idp', 'dave', {});
                  return { started: true };
                } catch (e) {
                  return { ...failure(e), calls: s.calls.length, took: performance.now() - before };
                }
                """);

        assertThat(result).containsEntry("type", "ConcurrencyError").containsEntry("status", 429L)
                .containsEntry("code", "THROTTLED").containsEntry("retryAfterMs", 600_000L).containsEntry("calls", 1L);
        assertThat(((Number) result.get("took")).doubleValue()).isLessThan(1000);
    }

    @Test
    void answersThatCannotBeReadAreMalformedResponseErrorsNeverExceptions() {
        Map<String, Object> result = run("""
                const cases = {
                  noLocation: { status: 202, headers: lease(60) },
                  noExpires: { status: 202, headers: { Location: 's4', Date: new Date(T0).toUTCString() } },
                  adviceNotAList: { status: 409, body: '{"status":"error","evaluationResult":{"associatedAdvice":{}}}' },
                  thresholdNotANumber: { status: 409, body: JSON.stringify({ evaluationResult: { associatedAdvice: [
                      { adviceType: 'rule-violation', attributes: { rule: 'max_streams', threshold: 'three', current: 4 } }] } }) },
                  htmlError: { status: 500, headers: { 'Content-Type': 'text/html' }, body: '<h1>Internal Server Error</h1>' },
                };
                const outcome = {};
                for (const [name, answer] of Object.entries(cases)) {
                  try {
                    await service([answer]).client().start('idp', 'erin', {});
                    outcome[name] = 'started';
                  } catch (e) {
                    outcome[name] = `${e.constructor.name} ${e instanceof m.ConcurrencyError}: ${e.message}`;
                  }
                }
                return outcome;
                """);

        assertThat(result).hasSize(5).allSatisfy((name, outcome) ->
                assertThat((String) outcome).as(name).startsWith("MalformedResponseError true: HTTP "));
        assertThat((String) result.get("noLocation")).contains("without the session id in Location");
        assertThat((String) result.get("noExpires")).contains("no valid Date and Expires headers");
        assertThat((String) result.get("thresholdNotANumber")).contains("threshold is missing or not an integer");
        assertThat((String) result.get("htmlError")).contains("HTTP 500 with a body that is not JSON");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aHeartbeatsBodiless410IsExpiryAndOneWithAdviceIsARemoteTerminationByThatDevice() {
        Map<String, Object> result = run("""
                const advice = JSON.stringify({ status: 'error', error: { code: 'SESSION_TERMINATED', message: 'killed' },
                  evaluationResult: { decision: 'DENY', associatedAdvice: [{ adviceType: 'remote-termination',
                    attributes: { terminatedBy: 's9', reason: 'New session requested with X-Terminate header',
                      terminator: { applicationName: 'Demo application', deviceName: 'Tablet', channel: 'Movies',
                                    startTime: T0 } } }] } });
                const told = [];
                const listener = (name) => ({
                  expired: () => told.push(`${name}: expired`),
                  terminatedRemotely: (t) => told.push(`${name}: terminated by ${t.deviceName} (${t.channel}) ${t.terminatedBy}`),
                  dismissed: () => told.push(`${name}: dismissed`),
                  failed: (e) => told.push(`${name}: failed ${e.message}`),
                });
                const a = await service([started('a', 1), { status: 410 }]).client().start('idp', 'frank', {});
                a.setListener(listener('a'));
                const b = await service([started('b', 1), { status: 410, body: advice }]).client().start('idp', 'frank', {});
                b.setListener(listener('b'));
                await sleep(1500);
                return { told, active: [a.active, b.active] };
                """);

        assertThat((List<Object>) result.get("told")).containsExactlyInAnyOrder("a: expired",
                "b: terminated by Tablet (Movies) s9");
        assertThat((List<Object>) result.get("active")).containsExactly(false, false);
    }

    @Test
    void aDismissalIsTheListenersConflictWhoseRetryStartsAgainWithTheSameSelection() {
        Map<String, Object> result = run("""
                const dismissal = JSON.stringify({ status: 'error', error: { code: 'POLICY_VIOLATION', message: 'x' },
                  evaluationResult: { decision: 'DENY', associatedAdvice: [{ adviceType: 'rule-violation',
                    attributes: { policy: 'latest-wins', rule: 'max_streams', threshold: 2, current: 3, dismissedBy: 'new',
                                  conflicts: [] } }] } });
                const s = service([started('old', 1), { status: 409, body: dismissal }, started('again', 60)]);
                let conflict;
                const session = await s.client().start('idp', 'grace', { deviceName: 'Radio', channel: 'Music' });
                session.setListener({ dismissed: (c) => { conflict = c; } });
                await sleep(1500);
                const again = await conflict.retryTerminating();
                return { dismissedBy: conflict.violations[0].dismissedBy, again: again.id, body: s.calls[2].body,
                         terminate: s.calls[2].terminate };
                """);

        assertThat(result).containsEntry("dismissedBy", "new").containsEntry("again", "again")
                .containsEntry("body", "deviceName=Radio&channel=Music").containsEntry("terminate", null);
    }

    @Test
    @SuppressWarnings("unchecked")
    void eachRetryKeepsTheOriginalSelectionAndNamesEveryCodePickedSoFar() {
        Map<String, Object> result = run("""
                const denial = (codes) => ({ status: 409, headers: { Date: new Date(T0 + 90 * 60_000).toUTCString() },
                  body: JSON.stringify({ status: 'error', error: { code: 'POLICY_VIOLATION', message: 'x' },
                    evaluationResult: { decision: 'DENY', associatedAdvice: [{ adviceType: 'rule-violation',
                      attributes: { policy: 'p', rule: 'max_streams', message: 'You have reached your maximum of 2 concurrent streams',
                                    threshold: 2, current: 3,
                                    conflicts: codes.map((c) => ({ sessionId: 'id-' + c, terminationCode: c, startTime: T0,
                                      applicationName: 'Demo application', metadata: { deviceName: 'TV ' + c } })) } }] } }) });
                const s = service([denial(['A', 'B']), denial(['B']), started('mine', 60)]);
                const client = s.client();
                let first;
                try { await client.start('idp', 'heidi', { deviceName: 'Laptop', channel: 'News' }); } catch (e) { first = e; }
                let second;
                try { await first.retryTerminating('A'); } catch (e) { second = e; }
                const session = await second.retryTerminating('B');
                return { explain: first.explain(), resolvable: first.hasResolvableConflicts, id: session.id,
                         bodies: s.calls.map((c) => c.body), terminate: s.calls.map((c) => c.terminate) };
                """);

        assertThat(result).containsEntry("id", "mine").containsEntry("resolvable", true);
        assertThat((List<Object>) result.get("bodies")).containsOnly("deviceName=Laptop&channel=News");
        assertThat((List<Object>) result.get("terminate")).containsExactly(null, "A", "A,B");
        assertThat((String) result.get("explain")).isEqualTo("""
                You have reached your maximum of 2 concurrent streams.
                To watch here, stop one of these streams:
                  1. Demo application (deviceName=TV A), started 1 h 30 min ago
                  2. Demo application (deviceName=TV B), started 1 h 30 min ago""");
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheClientAndNothingReachesThePageAsAnError() {
        Map<String, Object> result = run("""
                const a = await service([started('a', 1), { status: 410 }]).client().start('idp', 'ivan', {});
                a.setListener({ expired: () => { throw new Error('the page broke'); } });
                let told = false;
                const b = await service([started('b', 1), { status: 410 }]).client().start('idp', 'ivan', {});
                b.setListener({ expired: () => { told = true; } });
                await sleep(1500);
                return { told, active: a.active };
                """);

        assertThat(result).containsEntry("told", true).containsEntry("active", false);
        browser.assertNoErrorsLogged();
    }
}
