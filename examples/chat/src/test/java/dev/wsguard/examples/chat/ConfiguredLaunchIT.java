package dev.wsguard.examples.chat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The launch contract outside dev mode: system properties alone configure the jar, and a configuration that would
 * leave the endpoint open stops it at start-up.
 */
class ConfiguredLaunchIT {

    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final String JAR = Path.of("target", "wsguard-chat.jar").toString();

    @Test
    void startWhenJwtConfiguredButNoOriginsThenRefusesToStart() throws Exception {
        Process p = new ProcessBuilder(JAVA, "-Dwsguard.port=0", "-Dmp.jwt.verify.issuer=https://idp.test", "-jar",
                JAR).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out).contains("wsguard.origins.allowed is not set").doesNotContain("wsguard chat ready").doesNotContain(
                "DEV MODE");
    }

    @Test
    void startWhenConfiguredBySystemPropertiesThenGuardsWithThatKeyAndOrigin(@TempDir Path dir) throws Exception {
        TestIdp idp = new TestIdp(dir);
        try (ChatProcess p = ChatProcess.start(idp.with("wsguard.port=0",
                "wsguard.origins.allowed=https://chat.example.test"))) {
            URI chat = p.uri();
            assertThat(p.line(l -> l.contains("DEV MODE"))).isEmpty();
            String token = idp.token("dora", Map.of());

            HttpClient http = HttpClient.newHttpClient();
            CompletableFuture<String> welcome = new CompletableFuture<>();
            WebSocket ws = http.newWebSocketBuilder().header("Origin", "https://chat.example.test")
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(chat, new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            welcome.complete(data.toString());
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            assertThat(welcome.get(10, TimeUnit.SECONDS)).isEqualTo("{\"type\":\"welcome\",\"user\":\"dora\"}");
            ws.abort();

            // Dev mode is off: the dev-mode origin default is gone.
            CompletableFuture<WebSocket> devOrigin = http.newWebSocketBuilder()
                    .header("Origin", "http://127.0.0.1:" + chat.getPort())
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(chat, new WebSocket.Listener() { });
            assertThatThrownBy(() -> devOrigin.get(10, TimeUnit.SECONDS))
                    .cause().isInstanceOf(WebSocketHandshakeException.class)
                    .extracting(e -> ((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(403);
        }
    }
}
