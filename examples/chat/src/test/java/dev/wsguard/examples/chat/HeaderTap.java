package dev.wsguard.examples.chat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay between a proxy and the server that keeps the request head of every connection, byte for byte: what
 * the proxy really sends upstream (which forwarding headers, how many of each), which no server API shows. Then it
 * pipes both directions untouched.
 */
final class HeaderTap implements AutoCloseable {

    private static final int MAX_HEAD = 64 * 1024;
    /** The server listens on 127.0.0.1 (the example's default host); so does the tap. */
    private static final InetAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0).getAddress();

    private final ServerSocket listener;
    private final int upstreamPort;
    private final List<String> heads = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    HeaderTap(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.listener = new ServerSocket(0, 50, LOOPBACK);
        Thread acceptor = new Thread(this::accept, "tap-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The request heads seen so far, in arrival order. */
    List<String> heads() {
        return List.copyOf(heads);
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket proxy = listener.accept();
                open.add(proxy);
                Thread relay = new Thread(() -> relay(proxy), "tap-relay");
                relay.setDaemon(true);
                relay.start();
            } catch (IOException e) {
                // The listener was closed.
            }
        }
    }

    private void relay(Socket proxy) {
        try {
            Socket server = new Socket(LOOPBACK, upstreamPort);
            open.add(server);
            String head = readHead(proxy.getInputStream());
            heads.add(head);
            server.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            pipe(server, proxy);
            pipe(proxy, server);
        } catch (IOException e) {
            // This connection broke: the test sees the consequence.
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length && head.size() < MAX_HEAD) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static void pipe(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // One side closed: closing both streams ends the other direction too.
            }
        }, "tap-pipe");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
