package dev.wsguard.examples.chat.browser;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cross-site WebSocket hijacking, in a real browser: a page on another origin (another port of 127.0.0.1, so the
 * browser sends its foreign {@code Origin} and the victim's cookies) opens the chat socket with the victim's cookie,
 * or with a token it stole. Against the example it is refused before the 101 and the page sees the failure; against
 * a copy whose allowlist wrongly names the attacker's origin the same page takes the socket over, which shows the
 * browser really sends the cookie and that the origin check is what stops it.
 */
class CrossSiteHijackIT {

    private static AttackSite attacker;
    private static DemoServer guarded;
    private static DemoServer unguarded;
    private static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        attacker = AttackSite.start();
        CompletableFuture<DemoServer> copy = DemoServer.startAsync("wsguard.origins.allowed=" + attacker.origin);
        guarded = DemoServer.shared();
        unguarded = copy.get(60, TimeUnit.SECONDS);
        chromium = Chromium.shared();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {unguarded, attacker}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    void hijackWhenForeignPageUsesVictimsCookieThenHttp403AndPageSeesFailure() throws Exception {
        try (BrowserContext victim = chromium.newContext()) {
            signIn(victim, guarded, "alice");
            // The cookie is a working credential: the chat's own page opens the socket with it alone.
            Page own = victim.newPage();
            own.navigate(guarded.page);
            assertThat(own.evaluate(OPEN_WITH_COOKIE, guarded.chat.toString())).isEqualTo(
                    "{\"type\":\"welcome\",\"user\":\"alice\"}");

            long mark = guarded.lastEventSeq();
            Locator result = attack(victim, guarded, null);
            assertThat(result).hasAttribute("data-outcome", "refused");
            assertThat(result).hasAttribute("data-code", "1006");
            assertThat(result).containsText("refused: error event true, close 1006");
            assertThat(guarded.eventsAfter(mark)).contains("\"kind\":\"HANDSHAKE_REJECTED\"",
                    "\"reason\":\"ORIGIN_NOT_ALLOWED\"", "\"origin\":\"" + attacker.origin + "\"");
        }
    }

    @Test
    void hijackWhenForeignPageUsesStolenTokenThenHttp403AndPageSeesFailure() throws Exception {
        String stolen = guarded.token("alice");
        long mark = guarded.lastEventSeq();
        try (BrowserContext attackerBrowser = chromium.newContext()) {
            Locator result = attack(attackerBrowser, guarded, stolen);
            assertThat(result).hasAttribute("data-outcome", "refused");
            assertThat(result).hasAttribute("data-code", "1006");
        }
        String events = guarded.eventsAfter(mark);
        assertThat(events).contains("\"reason\":\"ORIGIN_NOT_ALLOWED\"", "\"origin\":\"" + attacker.origin + "\"")
                .doesNotContain(stolen).doesNotContain(stolen.substring(stolen.lastIndexOf('.') + 1));
    }

    @Test
    void hijackWhenAllowlistNamesTheAttackerThenSamePageTakesOverTheSession() throws Exception {
        try (BrowserContext victim = chromium.newContext()) {
            signIn(victim, unguarded, "alice");
            Locator result = attack(victim, unguarded, null);
            assertThat(result).hasAttribute("data-outcome", "hijacked");
            assertThat(result).containsText("{\"type\":\"welcome\",\"user\":\"alice\"}");
        }
        String stolen = unguarded.token("alice");
        try (BrowserContext attackerBrowser = chromium.newContext()) {
            Locator result = attack(attackerBrowser, unguarded, stolen);
            assertThat(result).hasAttribute("data-outcome", "hijacked");
            assertThat(result).containsText("{\"type\":\"welcome\",\"user\":\"alice\"}");
        }
    }

    /** Opens a socket from the current page with no protocols: only the ambient cookie can authenticate it. */
    private static final String OPEN_WITH_COOKIE = "url => new Promise(resolve => {"
            + " const ws = new WebSocket(url);"
            + " ws.onmessage = e => { resolve(String(e.data)); ws.close(1000); };"
            + " ws.onclose = e => resolve('closed ' + e.code); })";

    /** The victim signs in to the chat in this browser profile: the server sets an HttpOnly token cookie. */
    private static void signIn(BrowserContext context, DemoServer server, String user) {
        assertThat(context.request().post(server.origin + "/dev/login?user=" + user).status()).isEqualTo(204);
        assertThat(context.cookies(server.origin)).extracting(c -> c.name).containsExactly("Bearer");
    }

    /** Loads the attack page in this profile and returns its result element once the attempt is over. */
    private static Locator attack(BrowserContext context, DemoServer target, String stolenToken) {
        Page page = context.newPage();
        String query = "?target=" + URLEncoder.encode(target.chat.toString(), StandardCharsets.UTF_8)
                + (stolenToken == null ? "" : "&token=" + stolenToken);
        page.navigate(attacker.origin + "/attack.html" + query);
        Locator result = page.locator("#result");
        assertThat(result).not().hasAttribute("data-outcome", "pending");
        return result;
    }
}
