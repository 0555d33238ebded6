package dev.wsguard.tyrus;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * A client WebSocket built by hand, frame by frame, for what no real client sends: oversized headers, payloads
 * streamed without end, headers split byte by byte. Frames are masked with an all-zero key (legal, and it leaves the
 * payload bytes readable on the wire).
 */
final class RawWebSocket implements AutoCloseable {

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;

    private static final byte[] ZERO_MASK = new byte[4];

    private final Socket socket;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code 127.0.0.1} and completes the handshake; fails unless the answer is 101. */
    static RawWebSocket open(int port, String path) throws IOException {
        return open(new Socket(), port, path);
    }

    /** The same with a socket configured beforehand (for example with a small send buffer). */
    static RawWebSocket open(Socket socket, int port, String path) throws IOException {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        RawWebSocket webSocket = new RawWebSocket(socket);
        RawHttp.send(socket, RawHttp.upgradeRequest(path));
        String status = RawHttp.readHead(socket, Duration.ofSeconds(5)).statusLine();
        if (!status.startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("handshake refused: " + status);
        }
        return webSocket;
    }

    /** A WebSocket over {@code socket}, whose handshake is already done. */
    static RawWebSocket over(Socket socket) throws IOException {
        return new RawWebSocket(socket);
    }

    Socket socket() {
        return socket;
    }

    /** Answers the server's close frame, as a well-behaved client does; a connection already gone is fine. */
    void answerClose() {
        try {
            send(frame(true, CLOSE, new byte[0]));
        } catch (IOException gone) {
            // The server has dropped the connection already.
        }
    }

    /** A masked frame header: FIN, opcode and the shortest length encoding, as RFC 6455 requires. */
    static byte[] header(boolean fin, int opcode, long length) {
        ByteBuffer header = ByteBuffer.allocate(14);
        header.put((byte) ((fin ? 0x80 : 0) | opcode));
        if (length < 126) {
            header.put((byte) (0x80 | length));
        } else if (length <= 0xFFFF) {
            header.put((byte) (0x80 | 126)).putShort((short) length);
        } else {
            header.put((byte) (0x80 | 127)).putLong(length);
        }
        header.put(ZERO_MASK);
        return Arrays.copyOf(header.array(), header.position());
    }

    /** A whole masked frame. */
    static byte[] frame(boolean fin, int opcode, byte[] payload) {
        byte[] header = header(fin, opcode, payload.length);
        byte[] frame = Arrays.copyOf(header, header.length + payload.length);
        System.arraycopy(payload, 0, frame, header.length, payload.length);
        return frame;
    }

    /** {@code length} bytes of ASCII {@code 'a'}: valid UTF-8 and valid binary alike. */
    static byte[] payload(int length) {
        byte[] payload = new byte[length];
        Arrays.fill(payload, (byte) 'a');
        return payload;
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
        send(frame(fin, opcode, payload));
    }

    /**
     * Writes {@code length} payload bytes in chunks, as the body of a frame whose header was already sent, and stops at
     * the first failed write.
     *
     * @return the bytes the local socket accepted before a write failed, or {@code length} if none did
     */
    long streamPayload(long length, int chunkSize) {
        byte[] chunk = payload(chunkSize);
        long sent = 0;
        try {
            while (sent < length) {
                int n = (int) Math.min(chunk.length, length - sent);
                out.write(chunk, 0, n);
                sent += n;
            }
            out.flush();
        } catch (IOException e) {
            return sent;
        }
        return sent;
    }

    /** The next frame from the server, which must come within {@code timeout}. */
    Frame readFrame(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        DataInputStream in = new DataInputStream(socket.getInputStream());
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        if ((second & 0x80) != 0) {
            throw new IOException("server frames must not be masked");
        }
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        return new Frame((first & 0x80) != 0, first & 0x0F, payload);
    }

    /** Reads until EOF or reset, failing if neither comes within {@code timeout}. */
    byte[] readToEnd(Duration timeout) throws IOException {
        RawHttp.Drained drained = RawHttp.drain(socket, timeout);
        if (drained.ending() == RawHttp.Ending.TIMEOUT) {
            throw new IOException("connection still open after " + timeout);
        }
        return drained.data();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    record Frame(boolean fin, int opcode, byte[] payload) {
        int closeCode() {
            if (opcode != CLOSE || payload.length < 2) {
                throw new IllegalStateException("not a close frame with a code: opcode " + opcode);
            }
            return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }

        String closeReason() {
            closeCode();
            return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }
}
