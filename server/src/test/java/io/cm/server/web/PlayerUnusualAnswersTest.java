package io.cm.server.web;

import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference player in a real browser when the answer to a start is neither a permit nor a plain denial
 * (SPEC §3, §11; seed 000, "handle the edge cases", "do not crash"): an answer it cannot read, a denial that
 * lists no stream to stop, a 429. The odd answers come from a proxy in front of the server, which the page is
 * loaded through; starts are limited to 2 per subscriber every 4 s of the server's clock, which the test moves.
 */
class PlayerUnusualAnswersTest {

    private static final Duration THROTTLE_WINDOW = Duration.ofSeconds(4);
    private static TestServer server;
    private static AnswerInjectingProxy proxy;
    private static Browser browser;

    @BeforeAll
    static void start() {
        server = TestServer.demo(Map.of("CM_SESSIONS_HEARTBEAT_INTERVAL", "2s",
                "CM_THROTTLING_INITS_PER_WINDOW", "2", "CM_THROTTLING_WINDOW", THROTTLE_WINDOW.toSeconds() + "s"));
        proxy = AnswerInjectingProxy.before(server);
        browser = Browser.start();
    }

    @AfterAll
    static void stop() throws Exception {
        Browser.closeBefore(browser, proxy, server);
    }

    private static PlayerPage player(String subject) {
        return PlayerPage.open(browser, proxy.uri("/"), "demo-app", subject);
    }

    @Test
    void aConflictAnswerThatIsNotJsonIsToldInWordsAndThePlayerCarriesOn() {
        proxy.answerNextStart(new AnswerInjectingProxy.Answer(409, Map.of("Content-Type", "text/html"),
                "<html><body><h1>409 Conflict</h1><p>upstream said no</p></body></html>"));
        PlayerPage page = player("frank").play("Laptop", "Sports");

        String message = page.awaitMessage("The service sent an answer this player cannot read.");

        assertThat(message).contains("HTTP 409 with a body that is not JSON");
        assertThat(page.state()).isEqualTo("idle");
        assertThat(page.dialogOpen()).isFalse();
        assertThat(page.selectedChannel()).isEqualTo("Sports");
        page.messageAction().awaitPlaying();
        assertThat(page.screenTitle()).isEqualTo("Playing Sports");
        browser.assertNoErrorsLogged(409);
    }

    @Test
    void aConflictWhoseStreamsLackTheirTerminationCodesIsToldInWords() {
        proxy.answerNextStart(new AnswerInjectingProxy.Answer(409, AnswerInjectingProxy.json(), """
                {"status":"error","error":{"code":"POLICY_VIOLATION","message":"Concurrent usage limit exceeded"},
                 "evaluationResult":{"decision":"DENY","associatedAdvice":[{"id":"advice-1","adviceType":"rule-violation",
                 "attributes":{"rule":"max_streams","threshold":3,"current":4,
                 "conflicts":[{"sessionId":"s1","metadata":{"deviceName":"TV"}}]}}],"obligations":[]}}"""));
        PlayerPage page = player("grace").play("Tablet", "Kids");

        String message = page.awaitMessage("The service sent an answer this player cannot read.");

        assertThat(message).contains("terminationCode is missing or not a string");
        assertThat(page.dialogOpen()).isFalse();
        assertThat(page.selectedChannel()).isEqualTo("Kids");
        browser.assertNoErrorsLogged(409);
    }

    @Test
    void aDenialThatListsNoStreamToStopSaysWhereToStopOneAndOffersToTryAgain() {
        proxy.answerNextStart(new AnswerInjectingProxy.Answer(409, AnswerInjectingProxy.json(), """
                {"status":"error","error":{"code":"POLICY_VIOLATION","message":"Concurrent usage limit exceeded"},
                 "evaluationResult":{"decision":"DENY","associatedAdvice":[{"id":"advice-1","adviceType":"rule-violation",
                 "attributes":{"policy":"partner-policy","rule":"max_streams",
                 "message":"You have reached your maximum of 2 concurrent streams","threshold":2,"current":3,
                 "conflicts":[]}}],"obligations":[]}}"""));
        PlayerPage page = player("heidi").play("Phone", "News");

        WebElement dialog = page.awaitDialog();

        assertThat(dialog.findElement(By.id("conflict-rules")).getText()).contains("2 of 2 streams in use");
        assertThat(page.dialogRows()).isEmpty();
        assertThat(dialog.findElement(By.id("conflict-none")).getText())
                .contains("No stream was listed that can be stopped from here")
                .contains("Stop one of them there, then try again.");
        WebElement retry = dialog.findElement(By.id("conflict-retry"));
        assertThat(retry.isDisplayed()).isTrue();
        browser.screenshot("conflict-dialog-no-conflicts");

        retry.click();

        page.awaitPlaying();
        assertThat(page.screenTitle()).isEqualTo("Playing News");
        browser.assertNoErrorsLogged(409);
    }

    @Test
    void aThrottledStartWaitsAsTheServiceAsksThenStarts() {
        for (String device : new String[] {"TV", "Laptop"}) {
            HttpResponse<String> started = server.post("demo-app", "/v2/sessions/demo-idp/ivan?deviceName=" + device);
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        }
        PlayerPage page = player("ivan").play("Phone", "Music");

        String waiting = page.awaitMessage("The service is busy: trying again in");
        assertThat(waiting).contains("the player retries by itself");
        assertThat(page.state()).isEqualTo("starting");
        server.clock.advance(THROTTLE_WINDOW);

        page.awaitPlaying();
        assertThat(page.screenTitle()).isEqualTo("Playing Music");
        browser.assertNoErrorsLogged(429);
    }
}
