package dev.wsguard.probe;

import org.glassfish.tyrus.server.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code transport.plain-ws}, which needs a {@code wss://} URL: the example chat serving TLS passes it; a port that
 * answers TLS and plain HTTP alike, in front of the unguarded echo, is a finding.
 */
class PlainWsIT {

    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    Path dir;

    @Test
    void plainWsWhenChatServesTlsThenNoUpgradeWithoutIt() throws Exception {
        Path keystore = keystore();
        try (GuardedChat chat = GuardedChat.start(dir, "wsguard.tls.keystore=" + keystore,
                "wsguard.tls.password=" + new String(PASSWORD))) {
            assertThat(chat.uri.getScheme()).isEqualTo("wss");
            Report report = chat.suite().insecureTls(true).only("transport").run();
            System.out.println(report.toTable());
            assertThat(report.results()).extracting(r -> r.attack().id() + " " + r.verdict())
                    .containsExactly("control.handshake PASS", "control.sample PASS", "transport.plain-ws PASS");
        }
    }

    @Test
    void plainWsWhenOnePortSpeaksTlsAndPlainThenFinding() throws Exception {
        Server echo = new Server("127.0.0.1", -1, "/", Map.of(), UnguardedEchoIT.Echo.class);
        echo.start();
        try (EitherWay front = new EitherWay(tls(keystore()), echo.getPort())) {
            Report report = ProbeSuite.against(URI.create("wss://127.0.0.1:" + front.port() + "/echo"))
                    .origin("https://app.example.test").token(() -> UnguardedEchoIT.jws("{\"sub\":\"alice\"}"))
                    .insecureTls(true).only("transport").run();
            System.out.println(report.toTable());
            assertThat(report.results()).extracting(r -> r.attack().id() + " " + r.verdict())
                    .containsExactly("control.handshake PASS", "control.sample PASS", "transport.plain-ws FINDING");
        } finally {
            echo.stop();
        }
    }

    /** A PKCS12 keystore with a self-signed EC certificate for 127.0.0.1, made by the JDK's keytool. */
    private Path keystore() throws Exception {
        Path keystore = dir.resolve("server.p12");
        if (keystore.toFile().isFile()) {
            return keystore;
        }
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).isZero();
        return keystore;
    }

    private static SSLContext tls(Path keystore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(keystore)) {
            store.load(in, PASSWORD);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    /**
     * One loopback port that serves TLS when the first byte is a TLS handshake record and plain bytes otherwise,
     * forwarding both to {@code backend}: a listener that lets {@code ws://} through next to {@code wss://}.
     */
    static final class EitherWay implements AutoCloseable {
        private final ServerSocket server;
        private final SSLContext tls;
        private final int backend;

        EitherWay(SSLContext tls, int backend) throws IOException {
            this.tls = tls;
            this.backend = backend;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread accept = new Thread(this::accept, "either-way-accept");
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Thread t = new Thread(() -> serve(client), "either-way-connection");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket client) {
            try (client; Socket back = new Socket(InetAddress.getLoopbackAddress(), backend)) {
                PushbackInputStream peek = new PushbackInputStream(client.getInputStream(), 1);
                int first = peek.read();
                if (first < 0) {
                    return;
                }
                InputStream in;
                OutputStream out;
                if (first == 0x16) {
                    Socket secure = tls.getSocketFactory().createSocket(client,
                            new ByteArrayInputStream(new byte[] {(byte) first}), true);
                    in = secure.getInputStream();
                    out = secure.getOutputStream();
                } else {
                    peek.unread(first);
                    in = peek;
                    out = client.getOutputStream();
                }
                Thread up = new Thread(() -> copy(in, back), "either-way-up");
                up.setDaemon(true);
                up.start();
                copy(back.getInputStream(), out);
            } catch (IOException e) {
                // the probe closed its side
            }
        }

        private static void copy(InputStream in, Socket to) {
            try {
                copy(in, to.getOutputStream());
                to.shutdownOutput();
            } catch (IOException e) {
                // either side gone
            }
        }

        private static void copy(InputStream in, OutputStream out) throws IOException {
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
