package dev.wsguard.examples.chat.browser;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stored XSS through the chat: one user publishes markup and script payloads, another user's page shows them as
 * inert text (it renders with {@code textContent}, under a CSP without inline script), and text carrying
 * bidi overrides or control characters is refused with {@code invalid} by {@code @PlainText} and never delivered.
 * The control: the same delivered texts put into a page with {@code innerHTML} and no CSP do run.
 */
class StoredXssIT {

    /** Delivered, and must arrive as exactly these characters. Each one would set window.__xss and open a dialog. */
    private static final List<String> MARKUP = List.of(
            "<img src=x onerror=\"window.__xss='img';alert('img')\">",
            "<script>window.__xss='script';alert('script')</script>",
            "<a href=\"javascript:window.__xss='link';alert('link')\">click me</a>",
            "<svg onload=\"window.__xss='svg';alert('svg')\"></svg>",
            "<iframe srcdoc=\"<script>parent.__xss='iframe';parent.alert('iframe')</script>\"></iframe>",
            "\"><img src=x onerror=alert(document.domain)>");

    /** Refused with {@code invalid}: right-to-left override ("Trojan Source"), isolates, ESC, line separator. */
    private static final List<String> INVISIBLE = List.of(
            "invoice_\u202Egpj.exe",
            "ok \u2067hidden\u2069 text",
            "log \u001b[2J forged",
            "split\u2028line");

    private static final String SENTINEL = "end of payloads";

    private static AttackSite site;
    private static DemoServer server;
    private static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        site = AttackSite.start();
        server = DemoServer.shared();
        chromium = Chromium.shared();
    }

    @AfterAll
    static void stop() throws Exception {
        if (site != null) {
            site.close();
        }
    }

    @Test
    void publishWhenMarkupAndScriptPayloadsThenOtherUsersPageShowsInertText() throws Exception {
        List<String> dialogs = Collections.synchronizedList(new ArrayList<>());
        try (BrowserContext aliceProfile = chromium.newContext(); BrowserContext carolProfile = chromium.newContext()) {
            DemoTab alice = new DemoTab(aliceProfile, server).connect("alice").subscribe();
            DemoTab carol = new DemoTab(carolProfile, server).connect("carol").subscribe();
            for (Page page : List.of(alice.page, carol.page)) {
                page.onDialog(dialog -> {
                    dialogs.add(dialog.message());
                    dialog.dismiss();
                });
            }

            for (String payload : MARKUP) {
                alice.publish(payload);
                alice.awaitMessage("alice", payload);
            }
            for (String payload : INVISIBLE) {
                alice.publish(payload, "{\"type\":\"error\",\"code\":\"invalid\"}");
            }
            alice.publish(SENTINEL);
            carol.awaitMessage("alice", SENTINEL);

            List<String> expected = new ArrayList<>(MARKUP);
            expected.add(SENTINEL);
            assertThat(carol.messageTexts()).containsExactlyElementsOf(expected);
            for (DemoTab tab : List.of(alice, carol)) {
                // Click every shown text: a javascript: link, had one been made, would run now.
                tab.page.locator("#messages .text").all().forEach(text -> text.click());
                assertThat(tab.page.locator("#messages *:not(li):not(span)").count()).as("elements made from text")
                        .isZero();
                assertThat(tab.page.locator("img, script:not([src]), iframe, svg, a").count()).isZero();
                assertThat(tab.page.evaluate("() => window.__xss === undefined")).isEqualTo(true);
            }
            assertThat(dialogs).isEmpty();

            // The control: the very texts carol received, in a page that renders with innerHTML and has no CSP.
            Page naive = carolProfile.newPage();
            naive.onDialog(dialog -> {
                dialogs.add(dialog.message());
                dialog.dismiss();
            });
            naive.navigate(site.origin + "/naive.html");
            naive.evaluate("texts => render(texts)", carol.messageTexts());
            naive.waitForFunction("() => window.__xss !== undefined");
            assertThat(naive.locator("#messages img").count()).isPositive();
        }
    }
}
