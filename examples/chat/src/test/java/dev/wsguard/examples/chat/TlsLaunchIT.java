package dev.wsguard.examples.chat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The example served over wss:// from a PKCS12 keystore given as system properties. */
class TlsLaunchIT {

    private static final String JAVA_BIN = Path.of(System.getProperty("java.home"), "bin").toString();

    @Test
    void startWhenKeystoreGivenThenServesWssAndDevTokensOverHttps(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("server.p12");
        Path cert = dir.resolve("server.pem");
        run(JAVA_BIN + "/keytool", "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=IP:127.0.0.1,DNS:localhost",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit-test",
                "-keypass", "changeit-test");
        run(JAVA_BIN + "/keytool", "-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(),
                "-storepass", "changeit-test", "-file", cert.toString());
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trusted.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);

        try (ChatProcess p = ChatProcess.start("wsguard.port=0", "wsguard.tls.keystore=" + keystore,
                "wsguard.tls.password=changeit-test")) {
            URI chat = p.uri();
            assertThat(chat.getScheme()).isEqualTo("wss");
            int port = chat.getPort();

            HttpClient https = HttpClient.newBuilder().sslContext(tls).build();
            HttpResponse<String> token = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
                    + "/dev/token?user=alice")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(token.statusCode()).isEqualTo(200);
            try (ChatClient alice = ChatClient.connect(https, chat, "https://127.0.0.1:" + port, token.body())) {
                assertThat(alice.next()).isEqualTo("{\"type\":\"welcome\",\"user\":\"alice\"}");
            }
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
    }
}
