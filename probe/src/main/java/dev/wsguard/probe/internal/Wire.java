package dev.wsguard.probe.internal;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A WebSocket client on a raw socket, so that the probe controls every byte a browser or an attacker could send:
 * any {@code Origin} or none, tokens anywhere, fragments, oversized frames, a request never finished, a client that
 * stops reading. Frames from the server are read one at a time; pings are answered. Not thread-safe except for
 * {@link #sendInBackground}, whose writer runs beside the reading thread.
 */
public final class Wire implements Closeable {

    static final int TEXT = 0x1;
    static final int CONTINUATION = 0x0;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;
    private static final int PONG = 0xA;
    /** The most the probe reads of one server message; past it the connection is dropped. */
    private static final int MAX_INCOMING = 16 * 1024 * 1024;
    private static final Duration MID_FRAME_TIMEOUT = Duration.ofSeconds(5);
    /** Why a connection is {@link Event.Gone} when the server sent more than {@link #MAX_INCOMING} at once. */
    static final String TOO_LARGE = "server message over 16 MiB: dropped by the probe";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ReentrantLock writing = new ReentrantLock();
    private String host;

    private Wire(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
    }

    /**
     * A TCP connection (TLS when {@code tls}) to the host and port of {@code uri}; nothing sent yet.
     *
     * @param receiveBuffer the socket's receive buffer, or 0 for the system's
     */
    static Wire connect(URI uri, boolean tls, boolean insecure, Duration timeout, int receiveBuffer)
            throws IOException {
        Socket plain = new Socket();
        try {
            if (receiveBuffer > 0) {
                plain.setReceiveBufferSize(receiveBuffer);
            }
            plain.setTcpNoDelay(true);
            plain.connect(new InetSocketAddress(uri.getHost(), port(uri)), (int) timeout.toMillis());
            plain.setSoTimeout((int) timeout.toMillis());
            if (!tls) {
                return new Wire(plain);
            }
            SSLSocket ssl = (SSLSocket) tlsContext(insecure).getSocketFactory()
                    .createSocket(plain, uri.getHost(), port(uri), true);
            SSLParameters parameters = ssl.getSSLParameters();
            if (!insecure) {
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (!Character.isDigit(uri.getHost().charAt(0)) && !uri.getHost().contains(":")) {
                parameters.setServerNames(List.of(new SNIHostName(uri.getHost())));
            }
            ssl.setSSLParameters(parameters);
            ssl.startHandshake();
            return new Wire(ssl);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    static int port(URI uri) {
        if (uri.getPort() > 0) {
            return uri.getPort();
        }
        return "wss".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static SSLContext tlsContext(boolean insecure) throws IOException {
        try {
            if (!insecure) {
                return SSLContext.getDefault();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new AnyCertificate()}, RANDOM);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("no TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * Sends an upgrade request for {@code pathAndQuery} with {@code headers} besides the protocol's own, and reads
     * the answer's head (and up to 4 KiB of a body, for a refusal).
     */
    Response handshake(String pathAndQuery, List<Map.Entry<String, String>> headers, Duration timeout)
            throws IOException {
        byte[] key = new byte[16];
        RANDOM.nextBytes(key);
        StringBuilder request = new StringBuilder("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                .append("Host: ").append(hostHeader()).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(key)).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        headers.forEach(h -> request.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n"));
        request.append("\r\n");
        writeRaw(request.toString().getBytes(StandardCharsets.UTF_8));
        socket.setSoTimeout((int) timeout.toMillis());
        String head = readHead();
        Response response = Response.parse(head);
        if (response.status() != 101) {
            response = response.withBody(readBody(response));
        }
        return response;
    }

    /** Sets the Host header's value (the URL's authority). */
    Wire host(String authority) {
        this.host = authority;
        return this;
    }

    private String hostHeader() {
        return host != null ? host : socket.getInetAddress().getHostAddress() + ":" + socket.getPort();
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(head.size() == 0 ? "connection closed without an answer"
                        : "connection closed within the answer's head");
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (head.size() > 16 * 1024) {
                throw new IOException("answer head over 16 KiB");
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private String readBody(Response response) throws IOException {
        int length = response.contentLength().orElse(4096);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            socket.setSoTimeout(300);
            while (body.size() < Math.min(length, 4096)) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                body.write(b);
            }
        } catch (SocketTimeoutException e) {
            // A refusal without Content-Length that keeps the connection open: what came is the body.
        }
        return body.toString(StandardCharsets.UTF_8);
    }

    /** Writes bytes as they are. */
    void writeRaw(byte[] bytes) throws IOException {
        writing.lock();
        try {
            out.write(bytes);
            out.flush();
        } finally {
            writing.unlock();
        }
    }

    /** Sends one text message in one frame. */
    void sendText(String text) throws IOException {
        sendFrame(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one masked frame. */
    void sendFrame(int opcode, boolean fin, byte[] payload) throws IOException {
        writeRaw(frame(opcode, fin, payload));
    }

    static byte[] frame(int opcode, boolean fin, byte[] payload) {
        ByteBuffer frame = ByteBuffer.allocate(14 + payload.length);
        frame.put((byte) ((fin ? 0x80 : 0) | opcode));
        if (payload.length < 126) {
            frame.put((byte) (0x80 | payload.length));
        } else if (payload.length < 65_536) {
            frame.put((byte) (0x80 | 126)).putShort((short) payload.length);
        } else {
            frame.put((byte) (0x80 | 127)).putLong(payload.length);
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.put(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.put((byte) (payload[i] ^ mask[i % 4]));
        }
        return java.util.Arrays.copyOf(frame.array(), frame.position());
    }

    /**
     * Writes {@code frames} on a thread of its own while the caller reads, since a guarded server may close before
     * the last byte arrives. The writer stops at the first failed write.
     */
    Writer sendInBackground(List<byte[]> frames) {
        return start(new Writer(frames.size(), frames::get));
    }

    /**
     * Writes one text message as {@code fragments} (a text frame, then continuations), each frame masked only when
     * its turn comes, on a thread of its own; {@link Writer#stop} ends it at the next 16 KiB.
     */
    Writer sendFragmentsInBackground(List<String> fragments) {
        int n = fragments.size();
        return start(new Writer(n, i -> frame(i == 0 ? TEXT : CONTINUATION, i == n - 1,
                fragments.get(i).getBytes(StandardCharsets.UTF_8))));
    }

    private static Writer start(Writer writer) {
        writer.thread.start();
        return writer;
    }

    /** A background write; {@link #join} waits for its end. */
    final class Writer {
        private final Thread thread;
        private volatile long written;
        private volatile boolean stopped;
        private volatile boolean completed;
        private volatile IOException failure;

        private Writer(int count, java.util.function.IntFunction<byte[]> frameAt) {
            this.thread = new Thread(() -> {
                try {
                    for (int i = 0; i < count && !stopped; i++) {
                        byte[] f = frameAt.apply(i);
                        long left = f.length;
                        for (int offset = 0; offset < f.length && !stopped; offset += 16 * 1024) {
                            int n = Math.min(16 * 1024, f.length - offset);
                            writing.lock();
                            try {
                                out.write(f, offset, n);
                            } finally {
                                writing.unlock();
                            }
                            written += n;
                            left -= n;
                        }
                        completed = i == count - 1 && left == 0;
                    }
                    out.flush();
                } catch (IOException e) {
                    failure = e;
                }
            }, "wsguard-probe-writer");
            thread.setDaemon(true);
        }

        /** Writes nothing more after the 16 KiB under way, as a client does once the server has answered. */
        void stop() {
            stopped = true;
        }

        /** Waits at most {@code timeout}; true when the writer ended. */
        boolean join(Duration timeout) throws InterruptedException {
            thread.join(Math.max(1, timeout.toMillis()));
            return !thread.isAlive();
        }

        /** True once every frame was written whole, without a stop or a failure. */
        boolean completed() {
            return completed;
        }

        long written() {
            return written;
        }

        boolean failed() {
            return failure != null;
        }
    }

    /**
     * The next message or close from the server, waiting at most {@code timeout} for it to start. Pings are
     * answered on the way.
     */
    Event next(Duration timeout) {
        try {
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            while (true) {
                socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
                int first = in.read();
                if (first < 0) {
                    return new Event.Gone("connection closed without a close frame");
                }
                socket.setSoTimeout((int) MID_FRAME_TIMEOUT.toMillis());
                int second = readByte();
                int opcode = first & 0x0F;
                boolean fin = (first & 0x80) != 0;
                long length = second & 0x7F;
                if (length == 126) {
                    length = (readByte() << 8) | readByte();
                } else if (length == 127) {
                    length = 0;
                    for (int i = 0; i < 8; i++) {
                        length = (length << 8) | readByte();
                    }
                }
                byte[] mask = null;
                if ((second & 0x80) != 0) {
                    mask = in.readNBytes(4);
                }
                if (length > MAX_INCOMING || message.size() + length > MAX_INCOMING) {
                    close();
                    return new Event.Gone(TOO_LARGE);
                }
                byte[] payload = in.readNBytes((int) length);
                if (payload.length < length) {
                    return new Event.Gone("connection closed within a frame");
                }
                if (mask != null) {
                    for (int i = 0; i < payload.length; i++) {
                        payload[i] ^= mask[i % 4];
                    }
                }
                if (opcode == CLOSE) {
                    int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                    String reason = payload.length > 2
                            ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
                    answerClose(code);
                    return new Event.Closed(code, reason);
                }
                if (opcode == PING) {
                    answerPing(payload);
                    continue;
                }
                if (opcode == PONG) {
                    continue;
                }
                message.write(payload);
                if (fin) {
                    return new Event.Text(message.toString(StandardCharsets.UTF_8), message.size());
                }
            }
        } catch (SocketTimeoutException e) {
            return new Event.Silent();
        } catch (IOException e) {
            return new Event.Gone("connection failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
    }

    /**
     * Every message until a close, a lost connection, or {@code quiet} without a message; at most {@code max}.
     */
    List<Event> collect(Duration quiet, int max) {
        List<Event> events = new ArrayList<>();
        while (events.size() < max) {
            Event e = next(quiet);
            if (e instanceof Event.Silent) {
                break;
            }
            events.add(e);
            if (!(e instanceof Event.Text)) {
                break;
            }
        }
        return events;
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection closed within a frame");
        }
        return b;
    }

    private void answerPing(byte[] payload) {
        // A background writer may hold the lock for a large frame: then the pong is skipped, not interleaved.
        if (writing.tryLock()) {
            try {
                out.write(frame(PONG, true, payload));
                out.flush();
            } catch (IOException e) {
                // The connection is going; the next read says so.
            } finally {
                writing.unlock();
            }
        }
    }

    private void answerClose(int code) {
        if (writing.tryLock()) {
            try {
                byte[] echo = code == 1005 ? new byte[0] : new byte[] {(byte) (code >> 8), (byte) code};
                out.write(frame(CLOSE, true, echo));
                out.flush();
            } catch (IOException e) {
                // Already gone.
            } finally {
                writing.unlock();
            }
        }
    }

    /**
     * Ends an open session as a well-behaved client does: a close frame (1000), the server's close read within
     * {@code wait}, then the socket closed. A server then gives back what the session held at once, not when it
     * finds out that the connection is gone.
     */
    void closeNormally(Duration wait) {
        try {
            sendFrame(CLOSE, true, new byte[] {(byte) (1000 >> 8), (byte) (1000 & 0xFF)});
            long until = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < until) {
                Event e = next(Duration.ofNanos(Math.max(1_000_000, until - System.nanoTime())));
                if (!(e instanceof Event.Text)) {
                    break;
                }
            }
        } catch (IOException e) {
            // Already gone.
        } finally {
            close();
        }
    }

    /** Reads one byte as a liveness test: -1 when the server closed, -2 on timeout. */
    int poll(Duration timeout) {
        try {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            return in.read();
        } catch (SocketTimeoutException e) {
            return -2;
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing more to do with a socket that cannot close.
        }
    }

    /** The answer to an upgrade request. */
    record Response(int status, String statusLine, Map<String, String> headers, String body) {

        static Response parse(String head) throws IOException {
            String[] lines = head.split("\r\n");
            String[] first = lines[0].split(" ", 3);
            if (first.length < 2 || !first[0].startsWith("HTTP/")) {
                throw new IOException("not an HTTP answer");
            }
            int status;
            try {
                status = Integer.parseInt(first[1]);
            } catch (NumberFormatException e) {
                throw new IOException("not an HTTP status: " + Text.clip(first[1], 20), e);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.merge(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).strip(), (a, b) -> a + ", " + b);
                }
            }
            return new Response(status, lines[0], headers, "");
        }

        java.util.OptionalInt contentLength() {
            try {
                String value = headers.get("content-length");
                return value == null ? java.util.OptionalInt.empty()
                        : java.util.OptionalInt.of(Integer.parseInt(value));
            } catch (NumberFormatException e) {
                return java.util.OptionalInt.empty();
            }
        }

        Response withBody(String text) {
            return new Response(status, statusLine, headers, text);
        }

        /** Everything in the answer a client sees, for the leak checks. */
        String everything() {
            return statusLine + "\n" + headers + "\n" + body;
        }
    }

    /** Accepts every certificate: only for {@code --insecure} against a test server's own certificate. */
    private static final class AnyCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
