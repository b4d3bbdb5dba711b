package io.cm.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference player in a real browser (SPEC §11, seed 000): on a limit it explains it and lists the streams
 * in use, stopping one starts this one in its place with the same selection, the stopped device is told, and a
 * stream displaced under latest-wins says so. Streams whose page plays no part are started through the API. Heartbeats are every 2 s here, so that a page learns within
 * seconds how its stream ended; the server's clock stands still, so nothing expires meanwhile.
 */
class PlayerConflictTest {

    private static TestServer server;
    private static Browser browser;

    @BeforeAll
    static void start() {
        server = TestServer.demo(Map.of("CM_SESSIONS_HEARTBEAT_INTERVAL", "2s"));
        browser = Browser.start();
    }

    @AfterAll
    static void stop() throws Exception {
        Browser.closeBefore(browser, server);
    }

    private static URI base() {
        return server.uri("/");
    }

    private static PlayerPage player(String app, String subject) {
        return PlayerPage.open(browser, base(), app, subject);
    }

    private static List<String> runningDevices(String app, String subject) {
        JsonNode running = TestServer.json(server.get(app, "/v2/runningStreams/demo-idp/" + subject));
        List<String> devices = new ArrayList<>();
        running.path("runningStreams").forEach(s -> devices.add(s.path("metadata").path("deviceName").asText()));
        return devices;
    }

    private static void startFromApi(String app, String subject, String device, String channel) {
        HttpResponse<String> response = server.post(app, "/v2/sessions/demo-idp/" + subject + "?deviceName="
                + URLEncoder.encode(device, StandardCharsets.UTF_8) + "&channel=" + channel);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    @Test
    void aFourthStreamShowsTheLimitAndTheStreamsInUseAndStoppingOneStartsItInItsPlace() {
        startFromApi("demo-app", "alice", "Living-room TV", "News");
        PlayerPage laptop = player("demo-app", "alice").play("Laptop", "Sports").awaitPlaying();
        browser.screenshot("player-desktop");
        startFromApi("demo-app", "alice", "Phone", "Kids");

        PlayerPage tablet = player("demo-app", "alice").play("Tablet", "Movies");

        WebElement dialog = tablet.awaitDialog();
        assertThat(dialog.findElement(By.id("conflict-rules")).getText())
                .contains("3 of 3 streams in use")
                .contains("You have reached your maximum of 3 concurrent streams")
                .contains("Limit 3; watching here too would make 4.");
        assertThat(tablet.dialogDevices()).containsExactly("Living-room TV", "Laptop", "Phone");
        List<WebElement> rows = tablet.dialogRows();
        assertThat(rows.get(1).getText()).contains("Laptop", "Sports", "started less than a minute ago");
        assertThat(rows).allSatisfy(row -> assertThat(row.findElement(By.tagName("button")).getText())
                .isEqualTo("Stop this stream"));
        assertThat(dialog.findElement(By.id("conflict-cancel")).getText()).isEqualTo("Cancel");
        browser.screenshot("conflict-dialog-desktop");

        tablet.stopStream(1).awaitPlaying();

        assertThat(tablet.dialogOpen()).isFalse();
        assertThat(tablet.screenTitle()).isEqualTo("Playing Movies");
        assertThat(tablet.selectedChannel()).isEqualTo("Movies");
        assertThat(tablet.deviceName()).isEqualTo("Tablet");
        assertThat(laptop.awaitMessage("This stream was stopped from another device."))
                .contains("Tablet (Movies) started watching in its place.");
        assertThat(laptop.state()).isEqualTo("stopped");
        browser.screenshot("player-stopped-from-another-device");
        assertThat(laptop.selectedChannel()).isEqualTo("Sports");
        assertThat(laptop.deviceName()).isEqualTo("Laptop");
        assertThat(runningDevices("demo-app", "alice")).containsExactlyInAnyOrder("Living-room TV", "Phone", "Tablet");
        browser.assertNoErrorsLogged(409, 410);
    }

    @Test
    void cancelStartsNothingStopsNothingAndKeepsTheSelection() {
        startFromApi("demo-app", "bob", "TV", "News");
        startFromApi("demo-app", "bob", "Console", "Sports");
        startFromApi("demo-app", "bob", "Phone", "Kids");
        PlayerPage page = player("demo-app", "bob").play("Tablet", "Music");
        assertThat(page.dialogDevices()).containsExactly("TV", "Console", "Phone");

        page.cancelDialog();

        assertThat(page.state()).isEqualTo("idle");
        assertThat(page.screenTitle()).isEqualTo("Not started");
        assertThat(page.selectedChannel()).isEqualTo("Music");
        assertThat(page.deviceName()).isEqualTo("Tablet");
        assertThat(runningDevices("demo-app", "bob")).containsExactly("TV", "Console", "Phone");
        browser.assertNoErrorsLogged(409, 410);
    }

    @Test
    void aStreamDisplacedByANewerOneUnderLatestWinsSaysSoAndCanWatchAgain() {
        PlayerPage first = player("demo-app-fifo", "carol").play("Kitchen radio", "Music").awaitPlaying();
        startFromApi("demo-app-fifo", "carol", "Bedroom TV", "Movies");

        startFromApi("demo-app-fifo", "carol", "Car screen", "News");

        assertThat(first.awaitMessage("This stream was stopped because a newer stream started on another device."))
                .contains("Your plan allows 2 at once");
        assertThat(first.state()).isEqualTo("stopped");
        assertThat(first.selectedChannel()).isEqualTo("Music");
        assertThat(runningDevices("demo-app-fifo", "carol")).containsExactlyInAnyOrder("Bedroom TV", "Car screen");

        first.messageAction().awaitPlaying();

        assertThat(first.screenTitle()).isEqualTo("Playing Music");
        assertThat(runningDevices("demo-app-fifo", "carol")).containsExactlyInAnyOrder("Car screen", "Kitchen radio");
        browser.assertNoErrorsLogged(409, 410);
    }

    @Test
    void thePlayerAndItsDialogFitAPhoneScreen() {
        startFromApi("demo-app", "dave", "TV", "News");
        startFromApi("demo-app", "dave", "Laptop", "Sports");
        PlayerPage page = player("demo-app", "dave");
        browser.emulateScreen(390, 844, true);
        page.play("Phone", "Kids").awaitPlaying();
        assertFitsTheScreen();
        browser.screenshot("player-phone");

        page.stop();
        startFromApi("demo-app", "dave", "Tablet", "Movies");
        page.playAgain();
        WebElement dialog = page.awaitDialog();

        assertFitsTheScreen();
        assertThat(page.dialogRows()).hasSize(3);
        WebElement lastButton = page.dialogRows().get(2).findElement(By.tagName("button"));
        assertThat(lastButton.getRect().getX() + lastButton.getRect().getWidth()).isLessThanOrEqualTo(390);
        assertThat(dialog.getRect().getWidth()).isLessThanOrEqualTo(390);
        browser.screenshot("conflict-dialog-phone");
        browser.assertNoErrorsLogged(409, 410);
    }

    /** Nothing wider than the screen: no sideways scrolling. */
    private static void assertFitsTheScreen() {
        List<?> widths = (List<?>) browser.script("return [document.documentElement.scrollWidth, window.innerWidth];");
        assertThat(((Number) widths.get(0)).longValue()).as("page width vs screen width")
                .isLessThanOrEqualTo(((Number) widths.get(1)).longValue());
    }
}
