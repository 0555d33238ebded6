package dev.wsguard.internal.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.wsguard.testing.TestTokens;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link KeyMaterial#fetchJwks(URL)} against a real HTTP server on loopback: what it takes and what it refuses. */
class JwksFetchTest {

    HttpServer server;

    URL serve(HttpHandler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "test-jwks-fetch");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/jwks.json", handler);
        server.start();
        return new URL("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
    }

    static HttpHandler answer(int status, String body) {
        return exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        };
    }

    /** Writes an answer of unknown length (chunked) until done or the client hangs up. */
    interface Stream {
        void write(OutputStream out) throws IOException, InterruptedException;
    }

    static HttpHandler streamed(Stream body) {
        return exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                body.write(out);
            } catch (IOException | InterruptedException closedByClient) {
                // the fetch gave up, as it should
            }
        };
    }

    static void assertFetchFails(URL url, String message) {
        assertThatThrownBy(() -> KeyMaterial.fetchJwks(url)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(message);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void fetchWhenJwksThenPublicKeysWithoutSymmetricOnes() throws Exception {
        OctetSequenceKey secret = new OctetSequenceKeyGenerator(256).keyID("hmac").generate();
        String jwks = "{\"keys\":[" + TestTokens.rsa2048().toPublicJWK().toJSONString() + ","
                + secret.toJSONString() + "]}";

        assertThat(KeyMaterial.fetchJwks(serve(answer(200, jwks))))
                .containsExactly(TestTokens.rsa2048().toPublicJWK());
    }

    @Test
    void fetchWhenNotOkThenFailsNamingTheStatus() throws Exception {
        assertFetchFails(serve(answer(503, "")), "the key server answered 503");
    }

    @Test
    void fetchWhenRedirectedThenNotFollowed() throws Exception {
        URL url = serve(exchange -> {
            exchange.getResponseHeaders().set("Location", "http://127.0.0.1:1/elsewhere");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });

        assertFetchFails(url, "the key server answered 302");
    }

    @Test
    void fetchWhenAnswerOverSizeLimitThenFails() throws Exception {
        URL url = serve(streamed(out -> out.write(new byte[KeyMaterial.HTTP_SIZE_LIMIT_BYTES + 10])));

        assertFetchFails(url, "the answer is larger than");
    }

    @Test
    void fetchWhenAnswerDripsThenCutOffAtTheDeadline() throws Exception {
        // Each byte well within the read timeout; together far past the deadline.
        URL url = serve(streamed(out -> {
            for (int i = 0; i < 100; i++) {
                out.write(' ');
                out.flush();
                Thread.sleep(500);
            }
        }));

        long start = System.nanoTime();
        assertFetchFails(url, "the answer took longer than");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                .isLessThan(KeyMaterial.HTTP_DEADLINE_MS + KeyMaterial.HTTP_READ_TIMEOUT_MS);
    }

    @Test
    void fetchWhenAnswerNotJwksThenFailsWithoutQuotingIt() throws Exception {
        assertFetchFails(serve(answer(200, "<html>a proxy's page</html>")), "the answer is not a JWKS document");
    }

    @Test
    void fetchWhenUnreachableThenMessageNamesNeitherUrlNorCredentials() throws Exception {
        URL url = serve(answer(200, "{}"));
        server.stop(0);
        server = null;
        URL withCredentials = new URL("http://user:hunter2@127.0.0.1:" + url.getPort() + "/jwks.json");

        assertThatThrownBy(() -> KeyMaterial.fetchJwks(withCredentials)).isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("127.0.0.1"));
    }
}
