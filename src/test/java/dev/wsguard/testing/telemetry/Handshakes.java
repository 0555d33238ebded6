package dev.wsguard.testing.telemetry;

import dev.wsguard.testing.RawHandshake;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Raw handshakes from a chosen loopback address (Linux routes all of 127.0.0.0/8 to lo), so that a test can play
 * two clients at different addresses against one real server.
 */
public final class Handshakes {

    /** The status line's code and the response headers (names lower-cased). */
    public record Answer(int status, Map<String, String> headers) {
    }

    private Handshakes() {
    }

    /** Sends {@code request} from {@code localAddress} and reads the answer's head; the socket is then closed. */
    public static Answer send(RawHandshake request, URI server, String localAddress) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(localAddress, 0));
            socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), 5000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.requestBytes());
            InputStream in = socket.getInputStream();
            String statusLine = line(in);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
            return new Answer(Integer.parseInt(statusLine.split(" ")[1]), headers);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder out = new StringBuilder();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                out.append((char) b);
            }
        }
        if (b == -1 && out.length() == 0) {
            throw new IOException("connection closed before an answer");
        }
        return new String(out.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
}
