package dev.wsguard.examples.chat.browser;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Takes the README's screenshot ({@code docs/demo.png}) after a realistic session: two users chatting, refused
 * actions, and the events panel showing them together with a handshake refused for a foreign origin.
 */
class DemoScreenshotIT {

    private static DemoServer server;
    private static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        server = DemoServer.shared();
        chromium = Chromium.shared();
    }


    @Test
    void screenshotWhenTwoUsersChatAndOneIsRefusedThenSavedForTheReadme() throws Exception {
        String token = server.token("bob");
        assertThatThrownBy(() -> HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Origin", "https://evil.example").subprotocols("bearer", token)
                .buildAsync(server.chat, new WebSocket.Listener() { })
                .get(10, TimeUnit.SECONDS)).cause().isInstanceOf(WebSocketHandshakeException.class)
                .extracting(e -> ((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(403);

        long mark = server.lastEventSeq();
        try (BrowserContext aliceProfile = chromium.newContext(); BrowserContext carolProfile = chromium.newContext()) {
            DemoTab alice = new DemoTab(aliceProfile, server).connect("alice").subscribe();
            DemoTab carol = new DemoTab(carolProfile, server).connect("carol").subscribe();
            alice.publish("Hi carol, is the release ready?");
            carol.awaitMessage("alice", "Hi carol, is the release ready?");
            carol.publish("Yes. Markup such as <b>this</b> stays text.");
            alice.awaitMessage("carol", "Yes. Markup such as <b>this</b> stays text.");
            alice.answer("#kick", "{\"type\":\"error\",\"code\":\"forbidden\"}");
            alice.answer("#sibling", "{\"type\":\"error\",\"code\":\"forbidden\"}");
            alice.awaitEvent(mark, "AUTHORIZATION_DENIED", "CHANNEL_FORBIDDEN", "alice", "subscribe");

            Path png = repositoryRoot().resolve("docs").resolve("demo.png");
            Files.createDirectories(png.getParent());
            alice.page.screenshot(new Page.ScreenshotOptions().setPath(png).setFullPage(true));
            assertThat(Files.size(png)).isGreaterThan(10_000);
        }
    }

    /** The checkout's root, found from the working directory (examples/chat under Maven) upwards. */
    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("SECURITY.md")) && Files.isDirectory(dir.resolve("examples"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }
}
