package dev.wsguard.tyrus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;

import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.glassfish.tyrus.client.SslEngineConfigurator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** wss:// with a self-signed certificate made by the JDK's keytool, through the JDK and Tyrus clients. */
class TlsTest {

    private static final char[] PASSWORD = "test-only-password".toCharArray();
    private static final Duration TWO_SECONDS = Duration.ofSeconds(2);

    @TempDir
    static Path dir;

    private static Path keystore;
    private static SSLContext clientContext;

    private GuardedServer server;

    @BeforeAll
    static void makeCertificate() throws Exception {
        keystore = dir.resolve("server.p12");
        Path certificate = dir.resolve("server.crt");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=IP:127.0.0.1,DNS:localhost",
                "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD));
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(),
                "-storepass", new String(PASSWORD), "-file", certificate.toString());

        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            trusted.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, trust.getTrustManagers(), null);
    }

    @BeforeEach
    void startServer() throws Exception {
        server = GuardedServer.builder()
                .tls(keystore, PASSWORD)
                .endpoint(TestEndpoints.SecureProbe.class)
                .endpoint(TestEndpoints.Echo.class)
                .build();
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void uriWhenTlsConfiguredThenWssScheme() {
        assertThat(server.uri("/echo")).isEqualTo(URI.create("wss://127.0.0.1:" + server.port() + "/echo"));
    }

    @Test
    void echoWhenJdkClientOverWssThenSessionSecure() throws Exception {
        CompletableFuture<String> received = new CompletableFuture<>();
        WebSocket socket = HttpClient.newBuilder().sslContext(clientContext).build().newWebSocketBuilder()
                .buildAsync(server.uri("/secure"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        received.complete(data.toString());
                        return null;
                    }
                })
                .get(5, TimeUnit.SECONDS);
        socket.sendText("jdk", true).get(5, TimeUnit.SECONDS);

        assertThat(received.get(5, TimeUnit.SECONDS)).isEqualTo("jdk:true");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
    }

    @Test
    void echoWhenTyrusClientOverWssThenSessionSecure() throws Exception {
        CompletableFuture<String> received = new CompletableFuture<>();
        ClientManager client = ClientManager.createClient();
        client.getProperties().put(ClientProperties.SSL_ENGINE_CONFIGURATOR,
                new SslEngineConfigurator(clientContext));
        try {
            Session session = client.connectToServer(new Endpoint() {
                @Override
                public void onOpen(Session session, EndpointConfig config) {
                    session.addMessageHandler(String.class, (MessageHandler.Whole<String>) received::complete);
                }
            }, ClientEndpointConfig.Builder.create().build(), server.uri("/secure"));
            session.getBasicRemote().sendText("tyrus");

            // The server's session says secure; the Tyrus client's own Session.isSecure() reports false over wss.
            assertThat(received.get(5, TimeUnit.SECONDS)).isEqualTo("tyrus:true");
            session.close();
        } finally {
            client.shutdown();
        }
    }

    @Test
    void handshakeWhenTlsThenHstsOnThe101() throws Exception {
        try (SSLSocket socket = (SSLSocket) clientContext.getSocketFactory().createSocket("127.0.0.1", server.port())) {
            RawHttp.send(socket, RawHttp.upgradeRequest("/echo"));

            RawHttp.Head head = RawHttp.readHead(socket, TWO_SECONDS);

            assertThat(head.statusLine()).isEqualTo("HTTP/1.1 101 Switching Protocols");
            assertThat(head.header("Strict-Transport-Security")).contains("max-age=31536000");
            assertThat(socket.getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
        }
    }

    @Test
    void handshakeWhenClientOffersOnlyTls12ThenTls12Negotiated() throws Exception {
        try (SSLSocket socket = (SSLSocket) clientContext.getSocketFactory().createSocket("127.0.0.1", server.port())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            RawHttp.send(socket, RawHttp.upgradeRequest("/echo"));

            assertThat(RawHttp.readHead(socket, TWO_SECONDS).statusLine())
                    .isEqualTo("HTTP/1.1 101 Switching Protocols");
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
        }
    }

    @Test
    void handshakeWhenPlainTextWsToTlsPortThenNoHttpAnswerAndClosed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            RawHttp.send(socket, RawHttp.upgradeRequest("/echo"));

            RawHttp.Drained answer = RawHttp.drain(socket, TWO_SECONDS);

            assertThat(answer.ending()).isIn(RawHttp.Ending.EOF, RawHttp.Ending.RESET);
            assertThat(answer.text()).doesNotContain("HTTP/1.1");
        }
    }

    @Test
    void echoWhenJdkClientUsesWsSchemeOnTlsPortThenHandshakeFails() {
        URI plain = URI.create("ws://127.0.0.1:" + server.port() + "/echo");

        assertThatThrownBy(() -> HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(plain, new WebSocket.Listener() { })
                .get(5, TimeUnit.SECONDS))
                .isInstanceOf(java.util.concurrent.ExecutionException.class);
    }

    @Test
    void handshakeWhenPlainTextServerThenNoHsts() throws Exception {
        try (GuardedServer plain = GuardedServer.builder().endpoint(TestEndpoints.Echo.class).build();
                Socket socket = startAndConnect(plain)) {
            RawHttp.send(socket, RawHttp.upgradeRequest("/echo"));

            RawHttp.Head head = RawHttp.readHead(socket, TWO_SECONDS);

            assertThat(head.statusLine()).isEqualTo("HTTP/1.1 101 Switching Protocols");
            assertThat(head.header("Strict-Transport-Security")).isEmpty();
        }
    }

    @Test
    void tlsWhenPasswordWrongThenIllegalArgumentAtOnce() {
        assertThatThrownBy(() -> GuardedServer.builder().tls(keystore, "wrong".toCharArray()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("wrong");
    }

    @Test
    void tlsWhenFileMissingThenIllegalArgumentAtOnce() {
        assertThatThrownBy(() -> GuardedServer.builder().tls(dir.resolve("missing.p12"), PASSWORD))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void handshakeTimeoutWhenTlsHandshakeNeverStartsThenClosed() throws Exception {
        try (GuardedServer slow = GuardedServer.builder().tls(keystore, PASSWORD)
                .handshakeTimeout(Duration.ofSeconds(1)).endpoint(TestEndpoints.Echo.class).build()) {
            slow.start();
            try (Socket socket = new Socket("127.0.0.1", slow.port())) {
                long started = System.nanoTime();

                RawHttp.Drained answer = RawHttp.drain(socket, Duration.ofSeconds(5));

                assertThat(answer.ending()).isIn(RawHttp.Ending.EOF, RawHttp.Ending.RESET);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2_500));
            }
        }
    }

    private static Socket startAndConnect(GuardedServer server) throws Exception {
        server.start();
        return new Socket("127.0.0.1", server.port());
    }

    private static void keytool(String... arguments) throws Exception {
        Path tool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new java.util.ArrayList<>(List.of(tool.toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(process.exitValue()).as("keytool: %s", output).isZero();
    }
}
