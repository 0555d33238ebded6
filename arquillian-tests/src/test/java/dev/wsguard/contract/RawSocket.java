package dev.wsguard.contract;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain socket, for the size tests: it writes frames of its choosing and then reads the
 * server's close frame, even when the server stopped reading (and reset the connection) in the middle of a frame,
 * which makes the JDK client report a write error instead of the close code. It can also connect from a chosen
 * loopback address, to be another client of the same server.
 */
final class RawSocket implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private boolean writeFailed;

    private RawSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    static RawSocket open(URI uri, String token) throws IOException {
        return open(uri, token, 0);
    }

    /** The same with {@code receiveBuffer} bytes of receive buffer (0: the system's), set before connecting. */
    static RawSocket open(URI uri, String token, int receiveBuffer) throws IOException {
        Attempt attempt = attempt(uri, token, null, receiveBuffer);
        if (attempt.socket() == null) {
            throw new IOException("not upgraded: " + attempt.statusLine());
        }
        return attempt.socket();
    }

    /** An upgrade's answer: the open socket when it was 101, else null (the connection closed). */
    record Attempt(String statusLine, RawSocket socket) {
        int status() {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    /** An upgrade with {@code token} (null: none) from the local address {@code from} (null: the system's choice). */
    static Attempt attempt(URI uri, String token, String from) throws IOException {
        return attempt(uri, token, from, 0);
    }

    private static Attempt attempt(URI uri, String token, String from, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        if (from != null) {
            socket.bind(new java.net.InetSocketAddress(from, 0));
        }
        socket.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
        socket.setSoTimeout(20_000);
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        String request = "GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\nOrigin: "
                + Tokens.ORIGIN + (token == null ? "" : "\r\nAuthorization: Bearer " + token) + "\r\n\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        RawSocket raw = new RawSocket(socket);
        String status = raw.readHead();
        if (!status.startsWith("HTTP/1.1 101")) {
            socket.close();
            return new Attempt(status, null);
        }
        return new Attempt(status, raw);
    }

    /**
     * Sends one text frame (opcode text for the first, continuation after); false once the server no longer takes
     * data, after which nothing more is sent.
     */
    boolean send(String payload, boolean first, boolean fin) {
        return sendFrame((fin ? 0x80 : 0) | (first ? 0x1 : 0x0), payload.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends one frame whose first byte (FIN, RSV bits, opcode) is {@code firstByte} and whose payload is
     * {@code data}, masked as a client's must be; false once the server no longer takes data.
     */
    boolean sendFrame(int firstByte, byte[] data) {
        return sendFrame(firstByte, data, true);
    }

    /** The same, masked or (as no client may send it) not. */
    boolean sendFrame(int firstByte, byte[] data, boolean masked) {
        if (writeFailed) {
            return false;
        }
        byte[] mask = new byte[4];
        if (masked) {
            ThreadLocalRandom.current().nextBytes(mask);
        }
        byte[] frame = new byte[14 + data.length];
        int i = 0;
        frame[i++] = (byte) firstByte;
        if (data.length < 126) {
            frame[i++] = (byte) (0x80 | data.length);
        } else if (data.length < 65536) {
            frame[i++] = (byte) (0x80 | 126);
            frame[i++] = (byte) (data.length >>> 8);
            frame[i++] = (byte) data.length;
        } else {
            frame[i++] = (byte) (0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame[i++] = (byte) ((long) data.length >>> shift);
            }
        }
        if (masked) {
            frame[1] |= (byte) 0x80;
            System.arraycopy(mask, 0, frame, i, 4);
            i += 4;
        } else {
            frame[1] &= 0x7F;
        }
        for (int j = 0; j < data.length; j++) {
            frame[i++] = (byte) (data[j] ^ mask[j & 3]);
        }
        try {
            out.write(frame, 0, i);
            out.flush();
            return true;
        } catch (IOException e) {
            writeFailed = true;
            return false;
        }
    }

    /** The local port of this connection, to find it among the machine's TCP sockets. */
    int localPort() {
        return socket.getLocalPort();
    }

    /** Whether the server has sent anything since the upgrade (here: its close frame). */
    boolean serverSpoke() throws IOException {
        return in.available() > 0;
    }

    /** Sends one unfragmented text message. */
    void sendText(String text) throws IOException {
        if (!send(text, true, true)) {
            throw new IOException("the server no longer takes data");
        }
    }

    /** Reads frames until a text message (unfragmented); its text. A close frame instead fails. */
    String nextText() throws IOException {
        while (true) {
            Frame frame = readFrame();
            if (frame.opcode() == 0x1) {
                return new String(frame.payload(), StandardCharsets.UTF_8);
            }
            if (frame.opcode() == 0x8) {
                throw new IOException("closed instead of a text message");
            }
        }
    }

    /**
     * The server's next answer, skipping pings and pongs: {@code "text:"} and the message, {@code "close:"} and the
     * close code, or {@code "ended"} when the connection ended without either.
     */
    String nextAnswer() {
        try {
            while (true) {
                Frame frame = readFrame();
                if (frame.opcode() == 0x1) {
                    return "text:" + new String(frame.payload(), StandardCharsets.UTF_8);
                }
                if (frame.opcode() == 0x8) {
                    byte[] payload = frame.payload();
                    return "close:" + (payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005);
                }
            }
        } catch (IOException e) {
            return "ended";
        }
    }

    /** Reads frames until the server's close frame; its code. */
    int awaitCloseCode() throws IOException {
        while (true) {
            Frame frame = readFrame();
            if (frame.opcode() == 0x8) {
                byte[] payload = frame.payload();
                return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
            }
        }
    }

    private record Frame(int opcode, byte[] payload) {
    }

    /** One frame from the server (never masked). */
    private Frame readFrame() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame(b0 & 0x0F, payload);
    }

    private String readHead() throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) in.readUnsignedByte());
        }
        return head.substring(0, head.indexOf("\r\n"));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
