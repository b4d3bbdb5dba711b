package io.cm.server.web;

import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.net.URI;
import java.util.List;

/** One tab of the operator console ({@code /console/}), in the words of its user. Each call switches to the tab. */
final class ConsolePage {

    private final Browser browser;
    private final String tab;

    private ConsolePage(Browser browser, String tab) {
        this.browser = browser;
        this.tab = tab;
    }

    /** The console in a new tab, reading {@code /metrics} every 300 ms so that rates show within a second. */
    static ConsolePage open(Browser browser, URI server) {
        ConsolePage page = new ConsolePage(browser, browser.openTab(server.resolve("/console/?every=300")));
        browser.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("login")));
        return page;
    }

    WebElement find(String id) {
        browser.switchTo(tab);
        return browser.driver().findElement(By.id(id));
    }

    List<WebElement> findAll(String css) {
        browser.switchTo(tab);
        return browser.driver().findElements(By.cssSelector(css));
    }

    /** Types {@code token} and logs in; the caller awaits what follows (the dashboard or an error). */
    ConsolePage logIn(String token) {
        WebElement field = find("token");
        field.clear();
        field.sendKeys(token);
        find("login").findElement(By.cssSelector("button[type=submit]")).click();
        return this;
    }

    ConsolePage awaitDashboard() {
        browser.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("dashboard")));
        return this;
    }

    String text(String id) {
        return find(id).getText();
    }

    /** Waits until the element {@code id} shows {@code text} exactly. */
    ConsolePage awaitText(String id, String text) {
        browser.await().until(ExpectedConditions.textToBe(By.id(id), text));
        return this;
    }

    ConsolePage openTab(String name) {
        find("tabs").findElement(By.cssSelector("a[data-tab=" + name + "]")).click();
        browser.await().until(ExpectedConditions.visibilityOfElementLocated(By.id(name)));
        return this;
    }

    /** Sets the limit of the first rule of {@code policy} and presses Save; the caller awaits the outcome. */
    ConsolePage setLimit(String policy, int limit) {
        browser.await().until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("form[data-policy='" + policy + "']")));
        WebElement form = findAll("form[data-policy='" + policy + "']").getFirst();
        WebElement field = form.findElement(By.name("limit-0"));
        field.clear();
        field.sendKeys(Integer.toString(limit));
        form.findElement(By.cssSelector("button[type=submit]")).click();
        return this;
    }

    /** The limit of the first rule of {@code policy} as the editor shows it. */
    String limit(String policy) {
        return findAll("form[data-policy='" + policy + "'] input[name=limit-0]").getFirst().getAttribute("value");
    }

    /** Waits until the element {@code id} contains {@code text}. */
    ConsolePage awaitTextContaining(String id, String text) {
        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id(id), text));
        return this;
    }

    /** Looks up a subject and waits for its sessions to be listed. */
    ConsolePage lookUp(String idp, String subject) {
        WebElement idpField = find("lookup-idp");
        idpField.clear();
        idpField.sendKeys(idp);
        WebElement subjectField = find("lookup-subject");
        subjectField.clear();
        subjectField.sendKeys(subject);
        find("lookup").findElement(By.cssSelector("button[type=submit]")).click();
        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("subjects-status"), subject));
        return this;
    }

    /** The running sessions listed, one card each. */
    List<WebElement> sessions() {
        return findAll("#subject-sessions article.session");
    }

    void kill(String sessionId) {
        findAll("article[data-session='" + sessionId + "'] button.danger").getFirst().click();
        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("subjects-status"),
                "Killed " + sessionId));
    }

    void screenshot(String name) {
        browser.switchTo(tab);
        browser.screenshot(name);
    }
}
