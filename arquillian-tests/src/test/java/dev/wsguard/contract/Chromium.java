package dev.wsguard.contract;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium ({@code /usr/bin/chromium}) driven headless by Playwright for Java, which is told never to
 * download a browser. When Chromium is missing it is installed with apt-get, as the example's browser tests do;
 * a machine where that fails fails the test, saying why. Each {@link #newContext()} is a fresh browser profile.
 */
final class Chromium implements AutoCloseable {

    private static final Path EXECUTABLE = Path.of("/usr/bin/chromium");
    private static final List<String> FLAGS = List.of("--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync");

    private final Playwright playwright;
    private final Browser browser;

    private Chromium(Playwright playwright, Browser browser) {
        this.playwright = playwright;
        this.browser = browser;
    }

    static Chromium launch() {
        installIfMissing();
        Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(EXECUTABLE).setHeadless(true).setArgs(FLAGS));
            // A 2-core machine running a server beside the browser: give page conditions time.
            PlaywrightAssertions.setDefaultAssertionTimeout(15_000);
            return new Chromium(playwright, browser);
        } catch (RuntimeException e) {
            playwright.close();
            throw e;
        }
    }

    /** A new, empty browser profile: no cookies, no storage. */
    BrowserContext newContext() {
        BrowserContext context = browser.newContext();
        context.setDefaultTimeout(15_000);
        return context;
    }

    @Override
    public void close() {
        try {
            browser.close();
        } finally {
            playwright.close();
        }
    }

    private static void installIfMissing() {
        if (Files.isExecutable(EXECUTABLE)) {
            return;
        }
        // A clean machine may have no package lists yet: update only when the first attempt fails.
        if (!(apt("install", "-y", "--no-install-recommends", "chromium")
                || apt("update") && apt("install", "-y", "--no-install-recommends", "chromium"))
                || !Files.isExecutable(EXECUTABLE)) {
            throw new IllegalStateException("could not install Debian's chromium with apt-get; install it by hand ("
                    + EXECUTABLE + " is needed by the browser tests)");
        }
    }

    private static boolean apt(String... args) {
        List<String> command = new ArrayList<>(List.of("apt-get"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        try {
            Process process = builder.start();
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
