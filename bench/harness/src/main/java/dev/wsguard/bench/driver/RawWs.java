package dev.wsguard.bench.driver;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The cheapest WebSocket client there is, so the load driver measures the server and not itself (the JDK client
 * spends over a millisecond of CPU per handshake): blocking sockets, pre-encoded frames masked with a zero key
 * (legal, and the payload stays as is), one reply read per message. Not thread-safe: one thread per connection.
 */
final class RawWs implements AutoCloseable {

    /** A masked, empty close frame. */
    private static final byte[] CLOSE = {(byte) 0x88, (byte) 0x80, 0, 0, 0, 0};

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private byte[] buffer = new byte[1024];
    private int closeCode = -1;

    private RawWs(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 8192));
        this.out = socket.getOutputStream();
    }

    /** The opening handshake's bytes: the same for every server, with the bench origin and the bearer token. */
    static byte[] upgrade(int port, String path, String token) {
        return ("GET " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "Origin: " + dev.wsguard.bench.Wire.ORIGIN + "\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A masked text frame carrying {@code text}. */
    static byte[] textFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        int n = payload.length;
        int head = n < 126 ? 2 : n < 65536 ? 4 : 10;
        byte[] frame = new byte[head + 4 + n];
        frame[0] = (byte) 0x81;
        if (n < 126) {
            frame[1] = (byte) (0x80 | n);
        } else if (n < 65536) {
            frame[1] = (byte) (0x80 | 126);
            frame[2] = (byte) (n >>> 8);
            frame[3] = (byte) n;
        } else {
            frame[1] = (byte) (0x80 | 127);
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
            }
        }
        System.arraycopy(payload, 0, frame, head + 4, n);
        return frame;
    }

    /** Connects and completes the handshake; throws unless the answer is 101. */
    static RawWs open(int port, byte[] upgrade) throws IOException {
        return open(port, upgrade, null);
    }

    /**
     * Like {@link #open(int, byte[])}, from the loopback address {@code source} (any of 127.0.0.0/8 works on
     * Linux), so the server sees distinct client addresses; null for the default.
     */
    static RawWs open(int port, byte[] upgrade, java.net.InetAddress source) throws IOException {
        Socket socket = new Socket();
        try {
            if (source != null) {
                socket.bind(new InetSocketAddress(source, 0));
            }
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(30_000);
            RawWs ws = new RawWs(socket);
            ws.out.write(upgrade);
            int status = ws.readResponseHead();
            if (status != 101) {
                throw new IOException("handshake answered " + status);
            }
            return ws;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** One complete handshake on a new connection, then a close frame and the socket closed. */
    static void handshake(int port, byte[] upgrade) throws IOException {
        try (RawWs ws = open(port, upgrade)) {
            ws.out.write(CLOSE);
        }
    }

    private int readResponseHead() throws IOException {
        StringBuilder line = new StringBuilder();
        int status = -1;
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the handshake");
            }
            if (status < 0) {
                if (b == '\r') {
                    String[] parts = line.toString().split(" ");
                    status = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
                } else {
                    line.append((char) b);
                }
            }
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                    ? state + 1 : b == '\r' ? 1 : 0;
        }
        return status;
    }

    void send(byte[] frame) throws IOException {
        out.write(frame);
    }

    void setTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /**
     * Reads one frame.
     *
     * @return the text payload of a text frame; null when the server closed (see {@link #closeCode()})
     */
    String read() throws IOException {
        while (true) {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long n = b1 & 0x7F;
            if (n == 126) {
                n = in.readUnsignedShort();
            } else if (n == 127) {
                n = in.readLong();
            }
            if (n > 1 << 20) {
                throw new IOException("frame too large for the bench: " + n);
            }
            int len = (int) n;
            if (buffer.length < len) {
                buffer = new byte[len];
            }
            in.readFully(buffer, 0, len);
            int opcode = b0 & 0x0F;
            if (opcode == 8) {
                closeCode = len >= 2 ? ((buffer[0] & 0xFF) << 8) | (buffer[1] & 0xFF) : 1005;
                return null;
            }
            if (opcode == 1) {
                return new String(buffer, 0, len, StandardCharsets.UTF_8);
            }
            // Ping, pong and continuation frames carry nothing the bench needs.
        }
    }

    int closeCode() {
        return closeCode;
    }

    InputStream input() {
        return in;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
