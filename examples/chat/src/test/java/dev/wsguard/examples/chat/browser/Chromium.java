package dev.wsguard.examples.chat.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.wsguard.examples.chat.DebianPackages;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Debian's Chromium driven by Playwright for Java, headless. Playwright never downloads a browser here
 * ({@code PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD}); Chromium is installed with apt-get when missing. One browser serves
 * every test class of the run (starting Playwright and Chromium is the slow part); every scenario gets its own
 * {@link BrowserContext} (its own cookies and storage), like a separate browser profile.
 */
final class Chromium {

    private static final List<String> FLAGS = List.of("--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync");

    private final Playwright playwright;
    private final Browser browser;

    private Chromium(Playwright playwright, Browser browser) {
        this.playwright = playwright;
        this.browser = browser;
    }

    private static Chromium shared;

    /** The run's browser, launched on first use and closed when the test JVM exits. Tests run one at a time. */
    static synchronized Chromium shared() {
        if (shared == null) {
            Chromium chromium = launch();
            Runtime.getRuntime().addShutdownHook(new Thread(chromium::close, "chromium-close"));
            shared = chromium;
        }
        return shared;
    }

    private static Chromium launch() {
        Path executable = DebianPackages.ensure("/usr/bin/chromium", "chromium");
        Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            // Playwright gives every launch a fresh temporary profile (user-data-dir) and removes it on close.
            Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(executable).setHeadless(true).setArgs(FLAGS));
            // A loaded 2-core CI box: give page conditions time rather than fail on a slow frame.
            PlaywrightAssertions.setDefaultAssertionTimeout(15_000);
            return new Chromium(playwright, browser);
        } catch (RuntimeException e) {
            playwright.close();
            throw e;
        }
    }

    /** A new, empty browser profile: no cookies, no storage. */
    BrowserContext newContext() {
        BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900));
        context.setDefaultTimeout(15_000);
        return context;
    }

    private void close() {
        try {
            browser.close();
        } finally {
            playwright.close();
        }
    }
}
