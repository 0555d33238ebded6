package dev.wsguard.examples.chat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The example's launch contract, exercised on the built jar exactly as outside checks use it: started with
 * {@code java -jar target/wsguard-chat.jar}, it prints its ws:// URL, hands out dev tokens, and guards the socket.
 */
class LaunchContractIT {

    private static ChatProcess process;
    private static URI chat;
    private static String httpBase;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        process = ChatProcess.start("wsguard.port=0");
        chat = process.uri();
        httpBase = "http://127.0.0.1:" + chat.getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        if (process != null) {
            process.close();
        }
    }

    @Test
    void runWhenNoJwtConfigThenDevModeIsAnnounced() {
        assertThat(process.line(l -> l.contains("DEV MODE"))).isPresent();
    }

    @Test
    void connectWhenDevTokenAndOwnOriginThenWelcomeAndPong() throws Exception {
        String token = devToken("alice");
        Received received = new Received(2);
        WebSocket ws = http.newWebSocketBuilder()
                .header("Origin", httpBase)
                .header("Authorization", "Bearer " + token)
                .buildAsync(chat, received).get(10, TimeUnit.SECONDS);
        ws.sendText("{\"type\":\"ping\"}", true);
        assertThat(received.done.get(10, TimeUnit.SECONDS))
                .containsExactly("{\"type\":\"welcome\",\"user\":\"alice\"}", "{\"type\":\"pong\"}");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
    }

    @Test
    void connectWhenForeignOriginThenHttp403() throws Exception {
        String token = devToken("alice");
        CompletableFuture<WebSocket> attempt = http.newWebSocketBuilder()
                .header("Origin", "https://evil.example")
                .header("Authorization", "Bearer " + token)
                .buildAsync(chat, new Received(1));
        assertThatThrownBy(() -> attempt.join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(WebSocketHandshakeException.class)
                .extracting(e -> ((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(403);
    }

    @Test
    void connectWhenNoTokenThenHttp401() {
        CompletableFuture<WebSocket> attempt = http.newWebSocketBuilder()
                .header("Origin", httpBase)
                .buildAsync(chat, new Received(1));
        assertThatThrownBy(attempt::join)
                .cause().isInstanceOf(WebSocketHandshakeException.class)
                .extracting(e -> ((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(401);
    }

    private static ChatClient join(String user) throws Exception {
        ChatClient c = ChatClient.connect(http, chat, httpBase, devToken(user));
        assertThat(c.next()).isEqualTo("{\"type\":\"welcome\",\"user\":\"" + user + "\"}");
        return c;
    }

    @Test
    void protocolWhenSubscribedThenPublishReachesSubscribersOfThatChannelOnly() throws Exception {
        try (ChatClient alice = join("alice"); ChatClient carol = join("carol"); ChatClient other = join("carol")) {
            assertThat(alice.send("{\"type\":\"subscribe\",\"channel\":\"tenant:acme:general\"}").next())
                    .isEqualTo("{\"type\":\"subscribed\",\"channel\":\"tenant:acme:general\"}");
            assertThat(carol.send("{\"type\":\"subscribe\",\"channel\":\"tenant:acme:general\"}").next())
                    .startsWith("{\"type\":\"subscribed\"");
            assertThat(other.send("{\"type\":\"subscribe\",\"channel\":\"tenant:acme:random\"}").next())
                    .startsWith("{\"type\":\"subscribed\"");
            alice.send("{\"type\":\"publish\",\"channel\":\"tenant:acme:general\",\"text\":\"<b>hi</b>\"}");
            String delivered = "{\"channel\":\"tenant:acme:general\",\"from\":\"alice\",\"text\":\"<b>hi</b>\","
                    + "\"type\":\"message\"}";
            assertThat(alice.next()).isEqualTo(delivered);
            assertThat(carol.next()).isEqualTo(delivered);
            assertThat(other.poll(500)).as("not subscribed to that room").isNull();
        }
    }

    @Test
    void protocolWhenForbiddenThingsThenErrorFramesAndSessionStaysUsable() throws Exception {
        String forbidden = "{\"type\":\"error\",\"code\":\"forbidden\"}";
        try (ChatClient bob = join("bob")) {
            assertThat(bob.send("{\"type\":\"subscribe\",\"channel\":\"tenant:acme:general\"}").next())
                    .as("sibling tenant").isEqualTo(forbidden);
            assertThat(bob.send("{\"type\":\"publish\",\"channel\":\"tenant:globex:general\",\"text\":\"x\"}")
                    .next()).as("publish without subscription").isEqualTo(forbidden);
            assertThat(bob.send("{\"type\":\"kick\",\"user\":\"alice\"}").next()).as("admin action")
                    .isEqualTo(forbidden);
            assertThat(bob.send("{\"type\":\"publish\",\"channel\":\"tenant:globex:general\",\"text\":\"\"}")
                    .next()).isEqualTo("{\"type\":\"error\",\"code\":\"invalid\"}");
            assertThat(bob.send("{\"type\":\"ping\"}").next()).isEqualTo("{\"type\":\"pong\"}");
        }
    }

    @Test
    void protocolWhenAdminKicksThenUsersSessionsOfOwnTenantClose() throws Exception {
        try (ChatClient victim = join("alice"); ChatClient admin = join("carol")) {
            assertThat(admin.send("{\"type\":\"kick\",\"user\":\"alice\"}").next())
                    .isEqualTo("{\"type\":\"kicked\",\"user\":\"alice\",\"sessions\":1}");
            assertThat(victim.closeCode()).isEqualTo(1008);
        }
    }

    @Test
    void protocolWhenSubscribedToDefaultMaximumThenNextChannelForbidden() throws Exception {
        try (ChatClient alice = join("alice")) {
            for (int room = 1; room <= 32; room++) {
                assertThat(alice.send("{\"type\":\"subscribe\",\"channel\":\"tenant:acme:r" + room + "\"}").next())
                        .isEqualTo("{\"type\":\"subscribed\",\"channel\":\"tenant:acme:r" + room + "\"}");
            }
            assertThat(alice.send("{\"type\":\"subscribe\",\"channel\":\"tenant:acme:r33\"}").next())
                    .isEqualTo("{\"type\":\"error\",\"code\":\"forbidden\"}");
        }
    }

    @Test
    void protocolWhenMalformedOrOversizedThenClosed() throws Exception {
        try (ChatClient c = join("alice")) {
            c.send("{\"type\":\"ping\",\"type\":\"kick\"}");
            assertThat(c.closeCode()).isEqualTo(1007);
        }
        try (ChatClient c = join("alice")) {
            c.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70_000) + "\"}");
            assertThat(c.closeCode()).isEqualTo(1009);
        }
    }

    private static String devToken(String user) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(httpBase + "/dev/token?user="
                + user)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body().trim();
    }

    private static final class Received implements WebSocket.Listener {
        final List<String> messages = new ArrayList<>();
        final CompletableFuture<List<String>> done = new CompletableFuture<>();
        private final int expected;
        private final StringBuilder partial = new StringBuilder();

        Received(int expected) {
            this.expected = expected;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                synchronized (messages) {
                    messages.add(partial.toString());
                    partial.setLength(0);
                    if (messages.size() == expected) {
                        done.complete(List.copyOf(messages));
                    }
                }
            }
            ws.request(1);
            return null;
        }
    }
}
