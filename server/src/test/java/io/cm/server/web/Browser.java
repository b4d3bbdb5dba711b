package io.cm.server.web;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}) driven by Selenium, one per
 * test class. Found at {@code CM_CHROMIUM} / {@code CM_CHROMEDRIVER}, else on the {@code PATH}; a machine
 * without them fails the tests with what to install, never skips them ({@code bin/test} installs both).
 * Each browser has a fresh profile, and background tabs keep their timers running, so that every open player
 * heartbeats on time.
 */
final class Browser implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(10);
    /** Screenshots go here; the ones in docs/screenshots are copied from it by hand, never by a test. */
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    /** Chrome's own line for an HTTP error answer to a fetch; the API answers 4xx by design. */
    private static final Pattern HTTP_ERROR = Pattern.compile(
            "Failed to load resource: the server responded with a status of (\\d{3})");

    private final ChromeDriver driver;
    private final Path profile;
    private final List<LogEntry> log = new ArrayList<>();
    /** The tab Selenium talks to, so that switching to it again costs no call. */
    private String current;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    static Browser start() {
        String chromium = executable("CM_CHROMIUM", "chromium", "chromium-browser");
        String chromedriver = executable("CM_CHROMEDRIVER", "chromedriver");
        Path profile;
        try {
            profile = Files.createTempDirectory("cm-chromium");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions().setBinary(chromium).addArguments(
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows", "--window-size=1280,800",
                "--user-data-dir=" + profile);
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(chromedriver)).usingAnyFreePort().build();
        return new Browser(new ChromeDriver(service, options), profile);
    }

    private static String executable(String variable, String... names) {
        Optional<String> configured = Optional.ofNullable(System.getenv(variable)).filter(s -> !s.isBlank());
        if (configured.isPresent()) {
            if (Files.isExecutable(Path.of(configured.get()))) return configured.get();
            throw new IllegalStateException(variable + "=" + configured.get() + " is not an executable file");
        }
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        for (String name : names) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) return Path.of(dir, name).toString();
            }
        }
        throw new IllegalStateException("The browser tests need Debian's chromium and chromium-driver: none of "
                + List.of(names) + " is on the PATH (or set " + variable + "). Install them with "
                + "'apt-get install chromium chromium-driver', or run bin/test, which does.");
    }

    WebDriver driver() {
        return driver;
    }

    /** Waits up to {@link #WAIT}, looking every 100 ms (Selenium's default, 500 ms, would add up to seconds). */
    WebDriverWait await() {
        return new WebDriverWait(driver, WAIT, Duration.ofMillis(100));
    }

    /** Runs {@code script} in the current tab and returns its value. */
    Object script(String script) {
        return driver.executeScript(script);
    }

    /**
     * Runs {@code body} as the body of an async function in the current tab and returns what it resolves to;
     * a rejection comes back as {@code {scriptError, stack}}.
     */
    Object runAsync(String body) {
        return driver.executeAsyncScript("const done = arguments[arguments.length - 1];\n(async () => {\n" + body
                + "\n})().then(done, (e) => done({ scriptError: String(e), stack: e && e.stack }));");
    }

    /** Opens {@code url} in a new tab and returns the tab's handle; the tab is current afterwards. */
    String openTab(URI url) {
        collectLog();
        driver.switchTo().newWindow(WindowType.TAB);
        current = driver.getWindowHandle();
        emulateScreen(1280, 800, false); // a desktop screen, the same on every machine
        driver.get(url.toString());
        return current;
    }

    void switchTo(String tab) {
        if (tab.equals(current)) return;
        collectLog(); // read each tab's messages while it is the current one
        driver.switchTo().window(tab);
        current = tab;
    }

    private void collectLog() {
        // ChromeDriver takes in a tab's console messages while it runs a command there; one makes sure they are in.
        driver.executeScript("return 0;");
        log.addAll(driver.manage().logs().get(LogType.BROWSER).getAll());
    }

    /**
     * Makes the current tab look like a screen of {@code width} × {@code height} CSS pixels; {@code mobile}
     * also gives it a phone's viewport behaviour. The browser window itself cannot be made narrower than
     * about 500 px, a phone's screen can.
     */
    void emulateScreen(int width, int height, boolean mobile) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", mobile));
    }

    /** Files the pages download go to {@code folder} from now on, without asking. */
    void downloadTo(Path folder) {
        driver.executeCdpCommand("Browser.setDownloadBehavior",
                Map.of("behavior", "allow", "downloadPath", folder.toAbsolutePath().toString()));
    }

    /** A PNG of the current tab's viewport, written to {@link #SCREENSHOTS}. */
    Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            return Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Fails on anything the pages logged at error level: uncaught exceptions, unhandled rejections,
     * {@code console.error}, resources that failed to load. The one kind let through is Chrome's note of an
     * HTTP error answer to a call whose status is in {@code expectedStatuses} (a 409 the page handles is
     * the API working, not the page failing). Each call judges what was logged since the previous one.
     */
    void assertNoErrorsLogged(Integer... expectedStatuses) {
        collectLog();
        List<LogEntry> logged = List.copyOf(log);
        log.clear();
        List<String> errors = logged.stream()
                .filter(entry -> entry.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(message -> !expectedHttpError(message, List.of(expectedStatuses)))
                .toList();
        assertThat(errors).as("errors in the browser console").isEmpty();
    }

    private static boolean expectedHttpError(String message, List<Integer> statuses) {
        Matcher matcher = HTTP_ERROR.matcher(message);
        return matcher.find() && statuses.contains(Integer.parseInt(matcher.group(1)));
    }

    /**
     * Closes {@code browser} (null if it never started), then {@code servers} in order, each even if one before
     * failed: the browser first, so that no page is left calling a server that has stopped.
     */
    static void closeBefore(Browser browser, AutoCloseable... servers) throws Exception {
        Exception first = null;
        List<AutoCloseable> all = new ArrayList<>();
        if (browser != null) all.add(browser);
        all.addAll(List.of(servers));
        for (AutoCloseable closeable : all) {
            try {
                closeable.close();
            } catch (Exception e) {
                if (first == null) first = e; else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                // a temporary profile left behind is harmless
            }
        }
    }
}
