package io.cm.server.web;

import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console where what it needs is missing: a server whose admin API is off says so at the login, and one whose
 * {@code /metrics} is on a management port logs in but says that the live figures are not served here.
 */
class ConsoleUnavailableTest {

    private static final String TOKEN = "console-admin-token-0123456789";
    private static final String WITHOUT_ADMIN_TOKEN = """
            tenants:
              - id: t
                applications:
                  - {id: app, policies: [p]}
            policies:
              - {name: p, rules: [{type: max-streams, limit: 1}]}
            """;

    private static TestServer adminOff;
    private static TestServer metricsElsewhere;
    private static Browser browser;

    @BeforeAll
    static void start() {
        adminOff = TestServer.withConfig(WITHOUT_ADMIN_TOKEN);
        metricsElsewhere = TestServer.demo(Map.of("CM_ADMIN_TOKEN", TOKEN, "CM_MANAGEMENT_PORT", "0"));
        browser = Browser.start();
    }

    @AfterAll
    static void stop() throws Exception {
        Browser.closeBefore(browser, adminOff, metricsElsewhere);
    }

    @Test
    void withTheAdminApiOffTheLoginSaysHowToTurnItOn() {
        ConsolePage console = ConsolePage.open(browser, adminOff.uri("/")).logIn(TOKEN);

        browser.await().until(driver -> console.find("login-error").isDisplayed());
        assertThat(console.text("login-error"))
                .isEqualTo("The admin API is off on this server: set CM_ADMIN_TOKEN (server.admin-token).");
        assertThat(console.find("dashboard").isDisplayed()).isFalse();
        browser.assertNoErrorsLogged(404);
    }

    @Test
    void withMetricsOnAManagementPortTheDashboardSaysTheLiveFiguresAreNotHere() {
        ConsolePage console = ConsolePage.open(browser, metricsElsewhere.uri("/")).logIn(TOKEN).awaitDashboard();

        console.awaitTextContaining("dashboard-note", "Live figures unavailable (/metrics answered 404)");
        assertThat(console.text("active-sessions")).isEqualTo("–");
        console.awaitText("catalog-size", "3 · 3");
        browser.assertNoErrorsLogged(404);
    }
}
