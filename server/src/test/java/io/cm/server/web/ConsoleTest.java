package io.cm.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator console in a real browser (SPEC §11): logging in with the admin token, a dashboard whose figures
 * are the server's, a policy change that the next decision obeys, a subject's session killed from its card, and
 * the usage reports charted with a CSV download that is the API's own.
 * Everything the console shows is checked against the API the test calls itself.
 */
class ConsoleTest {

    private static final String TOKEN = "console-admin-token-0123456789";
    private static final Pattern ACTIVE = Pattern.compile("(?m)^cm_active_sessions\\s+(\\S+)");

    private static TestServer server;
    private static Browser browser;

    @BeforeAll
    static void start() {
        server = TestServer.demo(Map.of("CM_ADMIN_TOKEN", TOKEN));
        browser = Browser.start();
    }

    @AfterAll
    static void stop() throws Exception {
        Browser.closeBefore(browser, server);
    }

    private static URI base() {
        return server.uri("/");
    }

    private static HttpResponse<String> admin(String method, String path, String body) {
        return server.send(HttpRequest.newBuilder(server.uri("/admin/v1" + path))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Starts a stream from the API and returns its session id. */
    private static String startFromApi(String subject, String device, String channel) {
        HttpResponse<String> response = init(subject, device, channel);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return response.headers().firstValue("Location").orElseThrow();
    }

    private static HttpResponse<String> init(String subject, String device, String channel) {
        return server.post("demo-app", "/v2/sessions/demo-idp/" + subject + "?deviceName="
                + URLEncoder.encode(device, StandardCharsets.UTF_8) + "&channel=" + channel);
    }

    private static int activeSessionsOfMetrics() {
        Matcher matcher = ACTIVE.matcher(server.send(HttpRequest.newBuilder(server.uri("/metrics")).GET()).body());
        assertThat(matcher.find()).as("cm_active_sessions in /metrics").isTrue();
        return (int) Double.parseDouble(matcher.group(1));
    }

    @Test
    void aWrongTokenIsRefusedAndTheRightOneOpensADashboardWhoseFiguresAreTheServers() {
        startFromApi("dashboard-1", "TV", "News");
        startFromApi("dashboard-2", "Phone", "Sports");
        ConsolePage console = ConsolePage.open(browser, base());

        console.logIn("not-the-token");
        browser.await().until(driver -> console.find("login-error").isDisplayed());
        assertThat(console.text("login-error")).isEqualTo("This token is not valid on this server.");
        assertThat(console.find("dashboard").isDisplayed()).isFalse();

        console.logIn(TOKEN).awaitDashboard();
        int active = activeSessionsOfMetrics();
        assertThat(active).isGreaterThanOrEqualTo(2);
        console.awaitText("active-sessions", Integer.toString(active));
        JsonNode config = TestServer.json(admin("GET", "/config", null));
        int applications = 0;
        for (JsonNode tenant : config.path("tenants")) applications += tenant.path("applications").size();
        console.awaitText("catalog-size", applications + " · " + config.path("policies").size());

        startFromApi("dashboard-3", "Laptop", "Kids");
        console.awaitText("active-sessions", Integer.toString(active + 1));
        for (int i = 0; i < 3; i++) startFromApi("dashboard-4", "Device " + i, "News");
        // A fourth stream of one subject is denied: the denials per second show it on the next reading.
        assertThat(init("dashboard-4", "Device 3", "News").statusCode()).isEqualTo(409);
        browser.await().until(driver -> !console.text("denials-rate").equals("0")
                && !console.text("denials-rate").equals("–"));
        browser.await().until(driver -> !console.findAll("#chart path.line.sessions").isEmpty());
        console.awaitText("active-sessions", Integer.toString(activeSessionsOfMetrics()));

        console.screenshot("console-dashboard-desktop");
        browser.emulateScreen(390, 844, true);
        // Nothing wider than a phone's screen once the page has laid itself out again (the chart redraws).
        browser.await().withMessage("the page is wider than a phone's screen").until(driver ->
                ((Number) browser.script("return document.documentElement.scrollWidth;")).intValue() <= 390);
        console.screenshot("console-dashboard-phone");
        browser.assertNoErrorsLogged(401);
    }

    @Test
    void aLimitChangedInThePolicyEditorDecidesTheNextInit() {
        startFromApi("editor", "TV", "News");
        startFromApi("editor", "Phone", "Sports");
        ConsolePage console = ConsolePage.open(browser, base()).logIn(TOKEN).awaitDashboard().openTab("policies");
        try {
            console.setLimit("demo-policy", 2).awaitTextContaining("policies-status", "Saved demo-policy");

            assertThat(TestServer.json(admin("GET", "/policies/demo-policy", null)).path("rules").get(0)
                    .path("limit").asInt()).isEqualTo(2);
            HttpResponse<String> third = init("editor", "Laptop", "Kids");
            assertThat(third.statusCode()).as(third.body()).isEqualTo(409);
            assertThat(TestServer.json(third).path("evaluationResult").toString()).contains("\"threshold\":2");
            console.screenshot("console-policies-desktop");
            browser.assertNoErrorsLogged();
        } finally {
            HttpResponse<String> restored = admin("PUT", "/policies/demo-policy",
                    "{\"mode\":\"LIFO\",\"rules\":[{\"type\":\"max-streams\",\"limit\":3}]}");
            assertThat(restored.statusCode()).as(restored.body()).isEqualTo(200);
        }
    }

    @Test
    void aSaveOverAChangeMadeElsewhereIsRefusedAndTheCurrentPolicyIsShown() {
        String perChannel = """
                {"mode": "LIFO", "rules": [{"type": "max-per-value", "attribute": "channel", "limit": %d}]}""";
        ConsolePage console = ConsolePage.open(browser, base()).logIn(TOKEN).awaitDashboard().openTab("policies");
        browser.await().until(driver -> !console.findAll("form[data-policy='demo-policy-2']").isEmpty());
        try {
            assertThat(admin("PUT", "/policies/demo-policy-2", perChannel.formatted(4)).statusCode()).isEqualTo(200);

            console.setLimit("demo-policy-2", 1)
                    .awaitTextContaining("policies-status", "the configuration was changed elsewhere meanwhile");

            assertThat(TestServer.json(admin("GET", "/policies/demo-policy-2", null)).at("/rules/0/limit").asInt())
                    .as("the other change is kept").isEqualTo(4);
            browser.await().until(driver -> console.limit("demo-policy-2").equals("4"));
            console.setLimit("demo-policy-2", 3).awaitTextContaining("policies-status", "Saved demo-policy-2");
            assertThat(TestServer.json(admin("GET", "/policies/demo-policy-2", null)).at("/rules/0/limit").asInt())
                    .isEqualTo(3);
            browser.assertNoErrorsLogged(412);
        } finally {
            assertThat(admin("PUT", "/policies/demo-policy-2", perChannel.formatted(2)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aSubjectsSessionsAreListedWithTheirDevicesAndAKilledOnesHeartbeatIsGone() {
        String kitchen = startFromApi("frank", "Kitchen tablet", "News");
        String bedroom = startFromApi("frank", "Bedroom TV", "Movies");
        ConsolePage console = ConsolePage.open(browser, base()).logIn(TOKEN).awaitDashboard().openTab("subjects");

        console.lookUp("demo-idp", "frank");

        assertThat(console.text("subjects-status")).contains("2 running sessions");
        List<WebElement> cards = console.sessions();
        assertThat(cards).extracting(card -> card.findElement(By.tagName("h3")).getText())
                .containsExactlyInAnyOrder("Kitchen tablet", "Bedroom TV");
        WebElement bedroomCard = cards.stream().filter(card -> card.getText().contains("Bedroom TV")).findFirst()
                .orElseThrow();
        assertThat(bedroomCard.getText()).contains("channel", "Movies", bedroom, "Demo application");
        console.screenshot("console-subject-desktop");

        console.kill(bedroom);

        assertThat(console.sessions()).hasSize(1);
        assertThat(console.text("subjects-status")).contains("Killed " + bedroom);
        assertThat(server.post("demo-app", "/v2/sessions/demo-idp/frank/" + bedroom).statusCode()).isEqualTo(410);
        assertThat(server.post("demo-app", "/v2/sessions/demo-idp/frank/" + kitchen).statusCode()).isEqualTo(202);
        browser.assertNoErrorsLogged();
    }

    /**
     * Waits until the usage report counts the sessions started so far, moving the server's clock a second at a
     * time meanwhile: events are folded into the figures once the reports' lateness (2 s) has passed.
     */
    private static void awaitReported(String query, int startedAtLeast) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (TestServer.json(admin("GET", "/reports/usage?" + query, null)).at("/rows/0/started-sessions").asInt()
                < startedAtLeast) {
            server.clock.advance(Duration.ofSeconds(1));
            assertThat(System.nanoTime()).as("events folded into the reports in time").isLessThan(deadline);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void theReportPageChartsTheUsageAndDownloadsTheApisCsv(@TempDir Path downloads) throws Exception {
        startFromApi("reporting-1", "TV", "News");
        startFromApi("reporting-2", "Phone", "Sports");
        String day = LocalDate.ofInstant(server.clock.instant(), ZoneOffset.UTC).toString();
        awaitReported("from=" + day + "&granularity=day", 2);
        ConsolePage console = ConsolePage.open(browser, base()).logIn(TOKEN).awaitDashboard().openTab("reports");
        browser.downloadTo(downloads);

        assertThat(console.find("report-from").getAttribute("value")).as("the server's day").isEqualTo(day);
        console.find("report-from").clear();
        console.find("report-from").sendKeys("yesterday");
        console.find("report-form").findElement(By.cssSelector("button[type=submit]")).click();
        console.awaitTextContaining("reports-status", "from 'yesterday' is neither an ISO-8601 instant");
        assertThat(console.find("report-results").isDisplayed()).isFalse();
        console.find("report-from").clear();
        console.find("report-from").sendKeys(day);
        console.find("report-form").findElement(By.cssSelector("input[value=application]")).click();
        console.find("report-form").findElement(By.cssSelector("button[type=submit]")).click();
        browser.await().until(ExpectedConditions.textMatches(By.id("reports-status"),
                Pattern.compile("^\\d+ rows? from ")));

        String query = "from=" + day + "&granularity=hour&by=application";
        JsonNode usage = TestServer.json(admin("GET", "/reports/usage?" + query, null));
        assertThat(console.findAll("#usage-table tbody tr")).hasSize(usage.path("rows").size());
        assertThat(console.findAll("#usage-table thead th")).extracting(WebElement::getText)
                .startsWith("interval", "application", "active-users");
        assertThat(console.findAll("#usage-chart rect.bar")).isNotEmpty();
        assertThat(console.findAll("#levels-chart rect.bar")).isNotEmpty();
        console.screenshot("console-reports-desktop");

        console.find("report-csv").click();
        Path csv = downloads.resolve("usage.csv");
        browser.await().withMessage("usage.csv downloaded").until(driver -> Files.exists(csv)
                && !Files.exists(downloads.resolve("usage.csv.crdownload")));
        HttpResponse<String> api = admin("GET", "/reports/usage?" + query + "&format=csv", null);
        assertThat(api.statusCode()).isEqualTo(200);
        assertThat(Files.readString(csv)).isEqualTo(api.body());
        assertThat(api.body().lines().count()).as("a header and rows").isGreaterThan(1);
        browser.assertNoErrorsLogged(400);
    }
}
