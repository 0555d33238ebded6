package dev.wsguard.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JDK {@code java.net.http.WebSocket} client for tests: every text message goes to a queue, and the close code
 * the server sent completes {@link #closed}.
 */
public final class WsClient implements WebSocket.Listener, AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    public final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private long binaryBytes;
    private WebSocket ws;

    private WsClient() {
    }

    /** Connects with the given Origin and bearer token (either may be null). */
    public static WsClient connect(URI uri, String origin, String token) throws Exception {
        return connect(uri, origin, token, null, null);
    }

    /** As {@link #connect(URI, String, String)}, with one more header (none when {@code header} is null). */
    public static WsClient connect(URI uri, String origin, String token, String header, String value)
            throws Exception {
        WsClient client = new WsClient();
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (header != null) {
            builder.header(header, value);
        }
        if (origin != null) {
            builder.header("Origin", origin);
        }
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        client.ws = builder.buildAsync(uri, client).get(10, TimeUnit.SECONDS);
        return client;
    }

    public WsClient send(String text) throws Exception {
        ws.sendText(text, true).get(10, TimeUnit.SECONDS);
        return this;
    }

    /** Sends one binary frame ({@code last} false: a fragment of a longer message). */
    public WsClient sendBinary(byte[] data, boolean last) throws Exception {
        ws.sendBinary(java.nio.ByteBuffer.wrap(data), last).get(10, TimeUnit.SECONDS);
        return this;
    }

    /** Sends one text frame ({@code last} false: a fragment of a longer message). */
    public WsClient sendPart(String text, boolean last) throws Exception {
        ws.sendText(text, last).get(10, TimeUnit.SECONDS);
        return this;
    }

    /** Sends unless the connection is already closing; false once it is (a flood loop's stop condition). */
    public boolean trySend(String text) {
        try {
            ws.sendText(text, true).get(10, TimeUnit.SECONDS);
            return true;
        } catch (Exception closing) {
            return false;
        }
    }

    /** The next text message, failing after 5 s. */
    public String next() throws InterruptedException {
        String m = messages.poll(5, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message within 5 s; closed: " + closed.getNow(null));
        }
        return m;
    }

    /** The next text message within {@code millis}, or null. */
    public String poll(long millis) throws InterruptedException {
        return messages.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** The close code the server sent, failing after 10 s. */
    public int closeCode() throws Exception {
        return closed.get(10, TimeUnit.SECONDS);
    }

    public boolean isOpen() {
        return !ws.isInputClosed() && !closed.isDone();
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        synchronized (partial) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
        }
        return null;
    }

    /** A binary message from the server is queued as {@code binary:<bytes>}. */
    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
        synchronized (partial) {
            binaryBytes += data.remaining();
            if (last) {
                messages.add("binary:" + binaryBytes);
                binaryBytes = 0;
            }
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
    }

    @Override
    public void close() {
        ws.abort();
    }
}
