package dev.wsguard.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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

/**
 * A WebSocket opening handshake over a plain socket, for tests where the exact bytes matter: the status line, every
 * header, and whether the server closes the connection afterwards. Nothing here is lenient on purpose.
 */
public final class RawHandshake {

    /** What came back. {@code headers} keys are lower-cased; values keep every occurrence. */
    public record Response(int status, String statusLine, Map<String, List<String>> headers, String body,
                           boolean closedByServer) {
        public Optional<String> header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }
    }

    private final URI uri;
    private final List<String[]> headers = new ArrayList<>();
    private String pathAndQuery;

    private RawHandshake(URI uri) {
        this.uri = uri;
        this.pathAndQuery = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    public static RawHandshake to(URI uri) {
        return new RawHandshake(uri);
    }

    /** Adds a header line; may be called repeatedly with one name to send it twice. */
    public RawHandshake header(String name, String value) {
        headers.add(new String[] {name, value});
        return this;
    }

    public RawHandshake origin(String origin) {
        return header("Origin", origin);
    }

    public RawHandshake bearer(String token) {
        return header("Authorization", "Bearer " + token);
    }

    /** Appends a raw query string (already encoded) to the request target. */
    public RawHandshake query(String query) {
        pathAndQuery = uri.getRawPath() + "?" + query;
        return this;
    }

    public byte[] requestBytes() {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        StringBuilder req = new StringBuilder()
                .append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                .append("Host: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(key)).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        for (String[] h : headers) {
            req.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
        return req.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Sends the handshake, reads the response head, then waits up to 2 s to see if the server closes. */
    public Response send() throws IOException {
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(requestBytes());
            out.flush();
            InputStream in = socket.getInputStream();
            Response head = readHead(in);
            if (head.status == 101) {
                return head;
            }
            return withClose(head, in, socket);
        }
    }

    /**
     * Completes the handshake on a socket whose receive buffer is {@code receiveBufferBytes} (set before connecting,
     * so the window the server sees stays that small) and returns the open socket, positioned after the 101.
     *
     * @throws IOException when the answer is not 101
     */
    public Socket open(int receiveBufferBytes) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setReceiveBufferSize(receiveBufferBytes);
            socket.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(requestBytes());
            socket.getOutputStream().flush();
            Response head = readHead(socket.getInputStream());
            if (head.status != 101) {
                throw new IOException("expected 101, got " + head.statusLine);
            }
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** A client text frame (masked, as RFC 6455 requires of clients) carrying {@code text}, up to 125 bytes. */
    public static byte[] maskedText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        if (payload.length > 125) {
            throw new IllegalArgumentException("short frames only");
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }

    /**
     * After a refusal, sends the same handshake again on the same connection; returns the status of a second
     * answer, or empty when the server closed the connection (or never answered within 2 s).
     */
    public Optional<Integer> sendTwiceOnOneConnection() throws IOException {
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(requestBytes());
            out.flush();
            Response first = readHead(in);
            skipBody(first, in);
            try {
                out.write(requestBytes());
                out.flush();
                socket.setSoTimeout(2000);
                Response second = readHead(in);
                return Optional.of(second.status);
            } catch (IOException closed) {
                return Optional.empty();
            }
        }
    }

    private static Response withClose(Response head, InputStream in, Socket socket) throws IOException {
        String body = skipBody(head, in);
        socket.setSoTimeout(2000);
        boolean closed;
        try {
            closed = in.read() == -1;
        } catch (SocketTimeoutException e) {
            closed = false;
        } catch (IOException reset) {
            closed = true;
        }
        return new Response(head.status, head.statusLine, head.headers, body, closed);
    }

    private static String skipBody(Response head, InputStream in) throws IOException {
        int length = head.header("Content-Length").map(Integer::parseInt).orElse(0);
        byte[] body = in.readNBytes(length);
        return new String(body, StandardCharsets.UTF_8);
    }

    private static Response readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b == -1) {
                throw new IOException("connection closed before the response head was complete: " + buf);
            }
            buf.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                    ? state + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = buf.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
            }
        }
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        return new Response(status, lines[0], headers, "", false);
    }
}
