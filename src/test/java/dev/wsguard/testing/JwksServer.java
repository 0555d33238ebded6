package dev.wsguard.testing;

import dev.wsguard.GuardConfig.JwtSettings;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A JWKS endpoint for tests on {@code 127.0.0.1} and a free port, serving whatever document was last
 * {@linkplain #publish(String) published} and counting fetches; it can be made {@linkplain #delay(Duration) slow}.
 * Requests are served concurrently, so a slow one does not hide the next. Thread-safe; close it after the test.
 *
 * <pre>{@code
 * try (JwksServer jwks = JwksServer.start(TestTokens.jwks(TestTokens.rsa2048()))) {
 *     JwtSettings settings = TestTokens.settingsAt(jwks.url());
 * }
 * }</pre>
 */
public final class JwksServer implements AutoCloseable {

    private final HttpServer server;
    private final AtomicReference<String> document;
    private final AtomicInteger fetches = new AtomicInteger();
    private final AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);
    private final ExecutorService handlers = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "test-jwks-server");
        thread.setDaemon(true);
        return thread;
    });

    private JwksServer(String initial) throws IOException {
        this.document = new AtomicReference<>(initial);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(handlers);
        server.createContext("/jwks.json", exchange -> {
            fetches.incrementAndGet();
            try {
                Thread.sleep(delay.get().toMillis());
            } catch (InterruptedException e) {
                // closing: answer nothing
                exchange.close();
                return;
            }
            byte[] body = document.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    /** Starts a server publishing {@code jwks}. */
    public static JwksServer start(String jwks) {
        try {
            return new JwksServer(jwks);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The document's URL, {@code http://127.0.0.1:<port>/jwks.json}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json";
    }

    /** Replaces the served document, e.g. to rotate keys. */
    public void publish(String jwks) {
        document.set(jwks);
    }

    /** Every later request is answered only after {@code wait} (a slow identity provider); zero for none. */
    public void delay(Duration wait) {
        delay.set(wait);
    }

    /** How many times the document was requested. */
    public int fetches() {
        return fetches.get();
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }
}
