package dev.wsguard.examples.chat.browser;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A second web origin on 127.0.0.1 (another port), playing the attacker's site: a browser opening a WebSocket from
 * one of its pages sends this site's {@code Origin} and, because a different port of the same host is the same site,
 * the victim's cookies for 127.0.0.1.
 *
 * <ul>
 *   <li>{@code /attack.html?target=ws://...[&token=...]} opens the target socket on load, with the ambient cookies
 *       only or with a stolen token in the subprotocol carrier, and writes what happened into {@code #result}
 *       ({@code data-outcome} = {@code hijacked} or {@code refused}).</li>
 *   <li>{@code /naive.html} has {@code render(texts)}, which puts chat texts into the page with {@code innerHTML}
 *       and no CSP: the control that shows the stored-XSS payloads are live.</li>
 * </ul>
 */
final class AttackSite implements AutoCloseable {

    private static final String ATTACK = """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>Win a prize</title></head>
            <body><h1>Congratulations!</h1><p id="result" data-outcome="pending">working...</p>
            <script>
            const params = new URLSearchParams(location.search);
            const token = params.get('token');
            const ws = token ? new WebSocket(params.get('target'), ['bearer', token])
                             : new WebSocket(params.get('target'));
            const seen = { opened: false, error: false, received: [] };
            ws.onopen = () => { seen.opened = true; };
            ws.onerror = () => { seen.error = true; };
            ws.onmessage = (e) => { seen.received.push(String(e.data)); ws.close(1000); };
            ws.onclose = (e) => {
              const result = document.getElementById('result');
              result.dataset.outcome = seen.opened ? 'hijacked' : 'refused';
              result.dataset.code = String(e.code);
              result.textContent = seen.opened
                  ? 'hijacked the socket, read: ' + seen.received.join(' ')
                  : 'refused: error event ' + seen.error + ', close ' + e.code;
            };
            </script></body></html>
            """;

    private static final String NAIVE = """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>naive chat renderer</title></head>
            <body><ol id="messages"></ol>
            <script>
            function render(texts) {
              for (const text of texts) {
                const li = document.createElement('li');
                li.innerHTML = text;
                document.getElementById('messages').append(li);
              }
            }
            </script></body></html>
            """;

    private final HttpServer server;
    final String origin;

    private AttackSite(HttpServer server) {
        this.server = server;
        this.origin = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    static AttackSite start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/attack.html", exchange -> send(exchange, ATTACK));
        server.createContext("/naive.html", exchange -> send(exchange, NAIVE));
        server.start();
        return new AttackSite(server);
    }

    private static void send(HttpExchange exchange, String html) throws IOException {
        byte[] body = html.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html;charset=UTF-8");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
