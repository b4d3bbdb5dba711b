package io.cm.server.web;

import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import java.net.URI;
import java.util.List;

/** One tab of the reference player ({@code /demo/player}), in the words of its user. Each call switches to the tab. */
final class PlayerPage {

    private final Browser browser;
    private final String tab;

    private PlayerPage(Browser browser, String tab) {
        this.browser = browser;
        this.tab = tab;
    }

    /** The player of {@code app} for subscriber {@code subject}, in a new tab. */
    static PlayerPage open(Browser browser, URI server, String app, String subject) {
        PlayerPage page = new PlayerPage(browser, browser.openTab(server.resolve("/demo/player?app=" + app
                + "&subject=" + subject)));
        browser.await().until(ExpectedConditions.attributeToBe(By.id("screen"), "data-state", "idle"));
        return page;
    }

    private WebElement find(String id) {
        browser.switchTo(tab);
        return browser.driver().findElement(By.id(id));
    }

    /** Picks a device name and a channel, then presses Play. */
    PlayerPage play(String device, String channel) {
        WebElement name = find("device");
        name.clear();
        name.sendKeys(device);
        new Select(find("channel")).selectByVisibleText(channel);
        find("play").click();
        return this;
    }

    PlayerPage stop() {
        find("stop").click();
        browser.await().until(ExpectedConditions.attributeToBe(By.id("screen"), "data-state", "idle"));
        return this;
    }

    /** Presses Play again, with the selection as it is. */
    PlayerPage playAgain() {
        find("play").click();
        return this;
    }

    PlayerPage awaitPlaying() {
        find("screen");
        browser.await().until(ExpectedConditions.attributeToBe(By.id("screen"), "data-state", "playing"));
        return this;
    }

    String state() {
        return find("screen").getAttribute("data-state");
    }

    String screenTitle() {
        return find("screen-title").getText();
    }

    String selectedChannel() {
        return new Select(find("channel")).getFirstSelectedOption().getText();
    }

    String deviceName() {
        return find("device").getDomProperty("value");
    }

    WebElement awaitDialog() {
        WebElement dialog = find("conflict");
        browser.await().until(ExpectedConditions.visibilityOf(dialog));
        return dialog;
    }

    boolean dialogOpen() {
        return find("conflict").isDisplayed();
    }

    /** The streams the dialog offers to stop, as their device names, top to bottom. */
    List<String> dialogDevices() {
        return awaitDialog().findElements(By.cssSelector("#conflict-sessions li .device")).stream()
                .map(WebElement::getText).toList();
    }

    List<WebElement> dialogRows() {
        return awaitDialog().findElements(By.cssSelector("#conflict-sessions li"));
    }

    /** Presses "Stop this stream" on the {@code index}-th row (0-based). */
    PlayerPage stopStream(int index) {
        dialogRows().get(index).findElement(By.tagName("button")).click();
        return this;
    }

    PlayerPage cancelDialog() {
        find("conflict-cancel").click();
        browser.await().until(ExpectedConditions.invisibilityOfElementLocated(By.id("conflict")));
        return this;
    }

    /** Waits until the message box shows {@code text} and returns all of it (message and detail). */
    String awaitMessage(String text) {
        find("message");
        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), text));
        return find("message").getText();
    }

    /** Presses the message's button ("Watch here again", "Try again"). */
    PlayerPage messageAction() {
        find("message-action").click();
        return this;
    }
}
