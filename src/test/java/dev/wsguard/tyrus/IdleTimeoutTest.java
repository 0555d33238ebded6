package dev.wsguard.tyrus;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Sessions without incoming messages are closed after the idle timeout; active ones are not. */
class IdleTimeoutTest {

    private static final Duration IDLE = Duration.ofSeconds(1);

    @Test
    void sessionWhenQuietLongerThanIdleTimeoutThenClosed1000() throws Exception {
        try (GuardedServer server = GuardedServer.builder().idleTimeout(IDLE)
                .endpoint(TestEndpoints.Echo.class).build()) {
            server.start();
            Client client = Client.open(server);

            long started = System.nanoTime();
            int code = client.closed.get(IDLE.toMillis() + 3_000, TimeUnit.MILLISECONDS);
            Duration open = Duration.ofNanos(System.nanoTime() - started);

            assertThat(code).isEqualTo(1000);
            assertThat(open).isGreaterThanOrEqualTo(IDLE.minusMillis(100)).isLessThan(IDLE.plusMillis(1_500));
        }
    }

    @Test
    void sessionWhenActiveLongerThanIdleTimeoutThenStaysOpen() throws Exception {
        try (GuardedServer server = GuardedServer.builder().idleTimeout(IDLE)
                .endpoint(TestEndpoints.Echo.class).build()) {
            server.start();
            Client client = Client.open(server);

            for (int i = 0; i < 8; i++) {
                Thread.sleep(300);
                client.socket.sendText("ping " + i, true).get(2, TimeUnit.SECONDS);
                assertThat(client.texts.poll(2, TimeUnit.SECONDS)).isEqualTo("ping " + i);
            }

            assertThat(client.closed).isNotDone();
            client.socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
        }
    }

    @Test
    void sessionWhenNoIdleTimeoutConfiguredThenQuietSessionStaysOpen() throws Exception {
        try (GuardedServer server = GuardedServer.builder().endpoint(TestEndpoints.Echo.class).build()) {
            server.start();
            Client client = Client.open(server);

            Thread.sleep(IDLE.multipliedBy(2).toMillis());

            assertThat(client.closed).isNotDone();
            client.socket.sendText("late", true).get(2, TimeUnit.SECONDS);
            assertThat(client.texts.poll(2, TimeUnit.SECONDS)).isEqualTo("late");
        }
    }

    private static final class Client implements WebSocket.Listener {
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
        WebSocket socket;

        static Client open(GuardedServer server) throws Exception {
            Client client = new Client();
            client.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(server.uri("/echo"), client)
                    .get(5, TimeUnit.SECONDS);
            return client;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            texts.add(data.toString());
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }
    }
}
