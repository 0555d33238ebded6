package dev.wsguard.contract;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import javax.net.SocketFactory;

/** An upgrade request on a plain socket: the status line and headers exactly as the server sent them. */
final class RawUpgrade {

    /** The answer; header names lower-cased. */
    record Answer(int status, Map<String, List<String>> headers, int bodyBytes) {
        Optional<String> header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? Optional.empty() : Optional.of(values.get(0));
        }
    }

    private RawUpgrade() {
    }

    static Answer send(URI uri, String origin, String token) throws IOException {
        List<String[]> headers = new ArrayList<>();
        if (origin != null) {
            headers.add(new String[] {"Origin", origin});
        }
        if (token != null) {
            headers.add(new String[] {"Authorization", "Bearer " + token});
        }
        return request(uri, null, headers);
    }

    /**
     * An upgrade request to {@code uri} with {@code query} (raw, or null) and exactly {@code headers}, in order and
     * unchanged (name, value pairs; the same name may come twice).
     */
    static Answer request(URI uri, String query, List<String[]> headers) throws IOException {
        return request(uri, query, headers, SocketFactory.getDefault());
    }

    /** The same over a socket from {@code sockets} (for example TLS to the port in {@code uri}). */
    static Answer request(URI uri, String query, List<String[]> headers, SocketFactory sockets) throws IOException {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        StringBuilder req = new StringBuilder()
                .append("GET ").append(uri.getRawPath()).append(query == null ? "" : "?" + query).append(" HTTP/1.1\r\n")
                .append("Host: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(key)).append("\r\n");
        if (headers.stream().noneMatch(h -> h[0].equalsIgnoreCase("Sec-WebSocket-Version"))) {
            req.append("Sec-WebSocket-Version: 13\r\n");
        }
        for (String[] header : headers) {
            req.append(header[0]).append(": ").append(header[1]).append("\r\n");
        }
        req.append("\r\n");
        try (Socket socket = sockets.createSocket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, List<String>> answered = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                answered.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
            }
            int body = 0;
            if (status != 101) {
                socket.setSoTimeout(300);
                try {
                    while (in.read() >= 0) {
                        body++;
                    }
                } catch (SocketTimeoutException e) {
                    // Kept open without a body: nothing more to count.
                }
            }
            return new Answer(status, answered, body);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the end of the response head: " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.US_ASCII).trim();
    }
}
