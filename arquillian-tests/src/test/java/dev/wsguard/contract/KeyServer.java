package dev.wsguard.contract;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JWKS endpoint on loopback (the JDK's HTTP server) that can be made slow: each request waits {@link #delay}
 * before its answer, as a key server under load or behind a broken network does. Counts the requests.
 */
final class KeyServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "key-server");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile long delayMillis;

    private KeyServer(String jwks) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
        server.createContext("/jwks", exchange -> {
            fetches.incrementAndGet();
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            } catch (IOException e) {
                // The fetcher gave up waiting: nothing to answer.
            }
        });
        server.setExecutor(threads);
        server.start();
    }

    static KeyServer start(String jwks) throws IOException {
        return new KeyServer(jwks);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
    }

    void delay(Duration delay) {
        delayMillis = delay.toMillis();
    }

    int fetches() {
        return fetches.get();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
