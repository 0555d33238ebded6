package dev.wsguard.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A byte-for-byte TCP relay on a loopback port chosen when it is created, to a server port learnt later: what a
 * layer-4 load balancer is to a deployment, a public address fixed before the server's own port is known. Browser
 * tests serve pages through it so that the page's origin can be written into a WAR's configuration before the
 * server picks its port (Payara Micro's adapter picks a random one). Headers, statuses and frames pass unchanged.
 */
final class TcpRelay implements AutoCloseable {

    private final ServerSocket listener;
    private volatile int targetPort = -1;

    TcpRelay() {
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread accept = new Thread(this::accept, "relay-accept-" + port());
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Where connections go from now on: the server's port on loopback. */
    void target(int port) {
        targetPort = port;
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                if (targetPort < 0) {
                    client.close();
                    continue;
                }
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                pump(client, server);
                pump(server, client);
            } catch (IOException e) {
                // The listener closed, or the server refused this one connection: the browser sees it dropped.
            }
        }
    }

    /** Copies one direction until it ends, then closes both sockets (no half-open connections to track). */
    private static void pump(Socket from, Socket to) {
        Thread pump = new Thread(() -> {
            try (from; to; InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // The other direction closed the sockets first.
            }
        }, "relay-pump");
        pump.setDaemon(true);
        pump.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
