package dev.wsguard.examples.chat.browser;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;

import java.util.List;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

/** One browser tab on the demo page, driven through its buttons as a person would. */
final class DemoTab {

    final Page page;
    final Response loaded;

    DemoTab(BrowserContext context, DemoServer server) {
        this.page = context.newPage();
        this.loaded = page.navigate(server.page);
    }

    /** Picks the demo user, clicks Connect and waits until the page says it is connected as that user. */
    DemoTab connect(String user) {
        page.selectOption("#user", user);
        page.click("#connect");
        assertThat(page.locator("#status[data-state=open]")).containsText("Connected as " + user);
        return this;
    }

    /** Subscribes to the channel in the channel field (the user's own tenant's room after connecting). */
    DemoTab subscribe() {
        String channel = page.inputValue("#channel");
        answer("#subscribe", "{\"type\":\"subscribed\",\"channel\":\"" + channel + "\"}");
        return this;
    }

    DemoTab publish(String text) {
        page.fill("#text", text);
        page.click("#publish");
        return this;
    }

    /** Publishes {@code text} and waits for {@code expected} among the answers that follow. */
    DemoTab publish(String text, String expected) {
        page.fill("#text", text);
        return answer("#publish", expected);
    }

    /**
     * Clicks a button and waits for a line containing {@code expected} among the log lines that appeared after the
     * click, so an answer is never credited to an earlier action.
     */
    DemoTab answer(String button, String expected) {
        int before = page.locator("#log li").count();
        page.click(button);
        assertThat(newLogLines(before).filter(new Locator.FilterOptions().setHasText(expected)).first())
                .isVisible();
        return this;
    }

    private Locator newLogLines(int before) {
        return page.locator("#log li:nth-child(n+" + (before + 1) + ")");
    }

    /** Waits until a chat message with this exact text from this sender is shown. */
    void awaitMessage(String from, String text) {
        Locator line = page.locator("#messages li").filter(new Locator.FilterOptions()
                .setHas(page.locator(".from", new Page.LocatorOptions().setHasText(from))));
        assertThat(line.locator(".text").filter(new Locator.FilterOptions().setHasText(text)).first()).isVisible();
    }

    /** The texts of the shown chat messages, in order, as the page's DOM holds them. */
    List<String> messageTexts() {
        return page.locator("#messages .text").allTextContents();
    }

    /**
     * Waits until the live events panel shows an event newer than {@code after} (a {@link DemoServer#lastEventSeq()}
     * taken before the action) with every one of {@code cells} as the exact text of one of its cells.
     */
    void awaitEvent(long after, String... cells) {
        page.waitForFunction("([after, cells]) => [...document.querySelectorAll('#events tr')].some(row =>"
                + " Number(row.dataset.seq) > after"
                + " && cells.every(cell => [...row.cells].some(td => td.textContent === cell)))",
                List.of((double) after, List.of(cells)));
    }
}
