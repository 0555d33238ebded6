package dev.wsguard.tyrus;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.glassfish.tyrus.client.SslEngineConfigurator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * wss:// from PEM files (PKCS#8 key, certificate chain), as ACME clients issue them: the JDK and Tyrus clients
 * connect, plain text on the port is refused, and unusable files fail the builder call at once.
 */
class PemTlsTest {

    private static final char[] PASSWORD = "test-only-password".toCharArray();

    @TempDir
    static Path dir;

    /** Per key type: the key file, the certificate file, a client context trusting the certificate. */
    private record Pem(Path key, Path certificates, SSLContext client) {
    }

    private static Pem rsa;
    private static Pem ec;

    @BeforeAll
    static void makeKeys() throws Exception {
        rsa = pem("rsa", "-keyalg", "RSA", "-keysize", "2048");
        ec = pem("ec", "-keyalg", "EC", "-groupname", "secp256r1");
    }

    @Test
    void echoWhenRsaPemAndJdkClientThenSecureSession() throws Exception {
        try (GuardedServer server = serve(rsa)) {
            assertThat(server.uri("/secure").getScheme()).isEqualTo("wss");
            assertThat(jdkEcho(server, rsa.client())).isEqualTo("jdk:true");
        }
    }

    @Test
    void echoWhenEcPemAndTyrusClientThenSecureSession() throws Exception {
        try (GuardedServer server = serve(ec)) {
            assertThat(jdkEcho(server, ec.client())).isEqualTo("jdk:true");
            CompletableFuture<String> received = new CompletableFuture<>();
            ClientManager client = ClientManager.createClient();
            client.getProperties().put(ClientProperties.SSL_ENGINE_CONFIGURATOR,
                    new SslEngineConfigurator(ec.client()));
            try {
                Session session = client.connectToServer(new Endpoint() {
                    @Override
                    public void onOpen(Session session, EndpointConfig config) {
                        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) received::complete);
                    }
                }, ClientEndpointConfig.Builder.create().build(), server.uri("/secure"));
                session.getBasicRemote().sendText("tyrus");
                assertThat(received.get(5, TimeUnit.SECONDS)).isEqualTo("tyrus:true");
                session.close();
            } finally {
                client.shutdown();
            }
        }
    }

    @Test
    void handshakeWhenPlainTextWsToPemTlsPortThenNoHttpAnswerAndClosed() throws Exception {
        try (GuardedServer server = serve(rsa); Socket socket = new Socket("127.0.0.1", server.port())) {
            RawHttp.send(socket, RawHttp.upgradeRequest("/echo"));
            RawHttp.Drained answer = RawHttp.drain(socket, Duration.ofSeconds(2));
            assertThat(answer.ending()).isIn(RawHttp.Ending.EOF, RawHttp.Ending.RESET);
            assertThat(answer.text()).doesNotContain("HTTP/1.1");
        }
    }

    @Test
    void tlsPemWhenKeyBelongsToAnotherCertificateThenIllegalArgumentAtOnce() {
        assertThatThrownBy(() -> GuardedServer.builder().tlsPem(rsa.key(), ec.certificates()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong");
    }

    @Test
    void tlsPemWhenKeyIsNotPkcs8ThenIllegalArgumentNamingTheConversion() throws Exception {
        Path pkcs1 = dir.resolve("traditional.pem");
        Files.writeString(pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> GuardedServer.builder().tlsPem(pkcs1, rsa.certificates()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PKCS#8")
                .hasMessageContaining("openssl pkcs8");
    }

    @Test
    void tlsPemWhenFileMissingOrNoCertificateThenIllegalArgumentAtOnce() throws Exception {
        assertThatThrownBy(() -> GuardedServer.builder().tlsPem(dir.resolve("missing.pem"), rsa.certificates()))
                .isInstanceOf(IllegalArgumentException.class);
        Path empty = dir.resolve("empty.pem");
        Files.writeString(empty, "");
        assertThatThrownBy(() -> GuardedServer.builder().tlsPem(rsa.key(), empty))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static GuardedServer serve(Pem pem) throws Exception {
        GuardedServer server = GuardedServer.builder().tlsPem(pem.key(), pem.certificates())
                .endpoint(TestEndpoints.SecureProbe.class).endpoint(TestEndpoints.Echo.class).build();
        server.start();
        return server;
    }

    private static String jdkEcho(GuardedServer server, SSLContext client) throws Exception {
        CompletableFuture<String> received = new CompletableFuture<>();
        WebSocket socket = HttpClient.newBuilder().sslContext(client).build().newWebSocketBuilder()
                .buildAsync(server.uri("/secure"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        received.complete(data.toString());
                        return null;
                    }
                })
                .get(5, TimeUnit.SECONDS);
        socket.sendText("jdk", true).get(5, TimeUnit.SECONDS);
        String answer = received.get(5, TimeUnit.SECONDS);
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        return answer;
    }

    /** keytool makes the pair and certificate; the JDK writes them out as PKCS#8 and certificate PEM. */
    private static Pem pem(String name, String... keyOptions) throws Exception {
        Path store = dir.resolve(name + ".p12");
        List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", "server"));
        args.addAll(List.of(keyOptions));
        args.addAll(List.of("-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=IP:127.0.0.1,DNS:localhost",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", new String(PASSWORD),
                "-keypass", new String(PASSWORD)));
        keytool(args);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        Key key = keys.getKey("server", PASSWORD);
        Certificate certificate = keys.getCertificate("server");
        Path keyFile = dir.resolve(name + "-key.pem");
        Path certificateFile = dir.resolve(name + "-chain.pem");
        Files.writeString(keyFile, armor("PRIVATE KEY", key.getEncoded()));
        Files.writeString(certificateFile, armor("CERTIFICATE", certificate.getEncoded()));

        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("server", certificate);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, trust.getTrustManagers(), null);
        return new Pem(keyFile, certificateFile, client);
    }

    private static String armor(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static void keytool(List<String> arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString()));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(process.exitValue()).as("keytool: %s", output).isZero();
    }
}
