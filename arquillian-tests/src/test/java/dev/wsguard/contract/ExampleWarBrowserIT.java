package dev.wsguard.contract;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Route;
import com.microsoft.playwright.options.Cookie;
import com.microsoft.playwright.options.SameSiteAttribute;
import com.sun.net.httpserver.HttpServer;
import dev.wsguard.contract.naive.CookieChatEndpoint;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example's WAR on the server, in headless Chromium: its demo page connects and chats, and a page of another
 * origin that opens the chat socket with the victim's cookie is refused with {@code 403} before the 101.
 *
 * <p>The deployment is the WAR as the example's build writes it, plus what an operator adds: the configuration
 * (a real verification key, issuer, audience; the page's origin as the only allowed one; the {@code subprotocol} and
 * {@code cookie} token sources on) and the demo page's three files from the example's sources, served by the WAR
 * under its context path. The browser reaches the server through a byte-for-byte relay ({@link TcpRelay}) on a port
 * fixed before the deployment, as through a load balancer, so that the page's origin can be in that configuration
 * on every server. The WAR has no dev issuer (the example leaves it out), so the page's token request
 * ({@code dev/token?user=...}) is answered in the browser by the test, standing in for the operator's identity
 * provider, with a token signed by the configured key; the victim's sign-in cookie ({@code Bearer}, HttpOnly,
 * SameSite=Strict) is set in the browser profile as the operator's sign-in would set it. Beside the chat runs an
 * unguarded endpoint that signs users in by the same cookie ({@link CookieChatEndpoint}): the same attack page takes
 * that one over, so the test shows the browser really sends the cookie and that the guard is what stops it.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ExampleWarBrowserIT {

    /**
     * The deployment's public address, fixed before the server picks its port (Payara Micro's is random): the demo
     * page's origin, the one allowed.
     */
    private static final TcpRelay PUBLIC = new TcpRelay();
    private static final String PAGE_ORIGIN = "http://127.0.0.1:" + PUBLIC.port();

    private static final Path DEMO_PAGE = Path.of("../examples/chat/src/main/resources/demo");
    private static final Map<String, String> TENANTS = Map.of("alice", "acme", "bob", "globex", "carol", "acme");
    private static final Pattern TOKEN_REQUEST = Pattern.compile(".*/dev/token\\?user=(\\w+)$");
    private static final Pattern HANDSHAKE_FAILURE = Pattern.compile(
            "WebSocket connection to '(.+)' failed: Error during WebSocket handshake: Unexpected response code: (\\d+)");

    /** Opens a socket from the current page with no protocols: only the ambient cookie can authenticate it. */
    private static final String OPEN_WITH_COOKIE = "url => new Promise(resolve => {"
            + " const ws = new WebSocket(url);"
            + " ws.onmessage = e => { resolve('read ' + e.data); ws.close(1000); };"
            + " ws.onclose = e => resolve('closed ' + e.code); })";

    private static Chromium chromium;
    private static HttpServer attackSite;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive war() {
        String properties = Tokens.properties(Tokens.ORIGINS_KEY) + Tokens.ORIGINS_KEY + "=" + PAGE_ORIGIN + "\n";
        WebArchive war = ExampleWarIT.example(properties)
                .addClasses(CookieChatEndpoint.class, CookieChatEndpoint.SignInCookie.class);
        for (String file : List.of("index.html", "demo.js", "demo.css")) {
            war.addAsWebResource(DEMO_PAGE.resolve(file).toFile(), file);
        }
        return war;
    }

    @BeforeAll
    static void start() throws IOException {
        chromium = Chromium.launch();
        // The attacker's site: another port of 127.0.0.1, so another origin but the same site as the chat.
        attackSite = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        attackSite.createContext("/prize.html", exchange -> {
            byte[] body = "<!DOCTYPE html><title>Win a prize</title><h1>Congratulations!</h1>"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html;charset=UTF-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        attackSite.start();
    }

    @AfterAll
    static void stop() throws IOException {
        PUBLIC.close();
        if (attackSite != null) {
            attackSite.stop(0);
        }
        if (chromium != null) {
            chromium.close();
        }
    }

    @BeforeEach
    void relayToTheServer() {
        PUBLIC.target(base.getPort());
    }

    private String page() {
        return PAGE_ORIGIN + base.getPath();
    }

    private String socket(String path) {
        return PAGE_ORIGIN.replaceFirst("^http", "ws") + base.getPath() + path;
    }

    @Test
    void demoPageWhenServedByTheWarThenConnectsThroughTheSubprotocolAndChats() {
        try (BrowserContext people = chromium.newContext()) {
            people.route(TOKEN_REQUEST, ExampleWarBrowserIT::issueToken);
            Page alice = connect(people, "alice");
            Page carol = connect(people, "carol");
            for (Page tab : List.of(alice, carol)) {
                click(tab, "#subscribe", "{\"type\":\"subscribed\",\"channel\":\"tenant:acme:general\"}");
            }
            alice.fill("#text", "hello from the WAR");
            alice.click("#publish");
            for (Page tab : List.of(alice, carol)) {
                Locator message = tab.locator("#messages li").first();
                assertThat(message.locator(".from")).hasText("alice");
                assertThat(message.locator(".text")).hasText("hello from the WAR");
            }
            click(alice, "#sibling", "{\"type\":\"error\",\"code\":\"forbidden\"}");
        }
    }

    @Test
    void hijackWhenCrossSitePageUsesTheVictimsCookieThenHttp403WhileTheUnguardedEndpointIsTakenOver() {
        try (BrowserContext victim = chromium.newContext()) {
            victim.addCookies(List.of(new Cookie("Bearer", ExampleWarIT.chatToken("alice", "acme"))
                    .setDomain("127.0.0.1").setPath("/").setHttpOnly(true).setSameSite(SameSiteAttribute.STRICT)));
            // The cookie is a working credential: the chat's own page opens both sockets with it alone.
            Page own = victim.newPage();
            own.navigate(page());
            String welcome = "read {\"type\":\"welcome\",\"user\":\"alice\"}";
            assertThat(own.evaluate(OPEN_WITH_COOKIE, socket("chat"))).isEqualTo(welcome);
            assertThat(own.evaluate(OPEN_WITH_COOKIE, socket("naive-chat"))).isEqualTo(welcome);

            Page attack = victim.newPage();
            List<String> console = new CopyOnWriteArrayList<>();
            attack.onConsoleMessage(message -> console.add(message.text()));
            attack.navigate("http://127.0.0.1:" + attackSite.getAddress().getPort() + "/prize.html");
            assertThat(attack.evaluate(OPEN_WITH_COOKIE, socket("naive-chat"))).isEqualTo(welcome);
            assertThat(attack.evaluate(OPEN_WITH_COOKIE, socket("chat"))).isEqualTo("closed 1006");
            assertThat(refusals(console)).containsExactly(Map.entry(socket("chat"), 403));
        }
    }

    /** The handshake statuses Chromium reported for sockets it could not open, by URL. */
    private static List<Map.Entry<String, Integer>> refusals(List<String> console) {
        return console.stream().map(HANDSHAKE_FAILURE::matcher).filter(Matcher::matches)
                .map(m -> Map.entry(m.group(1), Integer.parseInt(m.group(2)))).toList();
    }

    /** The page's token request, answered as the operator's identity provider would for a signed-in user. */
    private static void issueToken(Route route) {
        Matcher request = TOKEN_REQUEST.matcher(route.request().url());
        if (!request.matches() || !TENANTS.containsKey(request.group(1))) {
            route.fulfill(new Route.FulfillOptions().setStatus(404));
            return;
        }
        String user = request.group(1);
        String token = user.equals("carol")
                ? ExampleWarIT.chatToken(user, TENANTS.get(user), "user", "admin")
                : ExampleWarIT.chatToken(user, TENANTS.get(user));
        route.fulfill(new Route.FulfillOptions().setStatus(200).setContentType("text/plain").setBody(token));
    }

    /** A tab on the WAR's demo page, signed in as {@code user} through the page's Connect button. */
    private Page connect(BrowserContext context, String user) {
        Page tab = context.newPage();
        tab.navigate(page());
        tab.selectOption("#user", user);
        tab.click("#connect");
        assertThat(tab.locator("#status[data-state=open]")).containsText("Connected as " + user);
        assertThat(tab.locator("#log li").filter(new Locator.FilterOptions()
                .setHasText("open (server chose subprotocol \"bearer\")"))).hasCount(1);
        return tab;
    }

    /** Clicks a button and waits for {@code answer} among the answers the page shows. */
    private static void click(Page tab, String button, String answer) {
        tab.click(button);
        assertThat(tab.locator("#log li").filter(new Locator.FilterOptions().setHasText(answer)).first())
                .isVisible();
    }
}
