package dev.wsguard.examples.chat;

import dev.wsguard.tyrus.GuardedServer;
import jakarta.websocket.DeploymentException;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the chat example on Tyrus standalone.
 *
 * <p>Launch contract (relied on from outside the project): {@code java -jar examples/chat/target/wsguard-chat.jar}
 * starts it; system properties {@code wsguard.host} (default 127.0.0.1), {@code wsguard.port} (0 = any free port),
 * {@code wsguard.origins.allowed} and the {@code mp.jwt.verify.*} keys configure it; it prints one line containing
 * {@code ws://HOST:PORT/chat} when ready ({@code wss://} when {@code wsguard.tls.keystore} or {@code wsguard.tls.key}
 * is set). Also read: {@code wsguard.tls.keystore} / {@code wsguard.tls.password} (PKCS12), or
 * {@code wsguard.tls.key} / {@code wsguard.tls.certificates} (PEM), {@code wsguard.handshake-timeout},
 * {@code wsguard.idle-timeout}, {@code wsguard.message.max-bytes}, and every {@code wsguard.*} key of
 * {@link dev.wsguard.GuardConfig} (trusted proxies, quotas, rate limits). With no {@code mp.jwt.verify.*} key it runs in dev mode: an ephemeral key
 * and a token endpoint for the demo users at {@code /dev/token?user=alice|bob|carol}.
 */
public final class ChatServer {

    private static final System.Logger LOG = System.getLogger("dev.wsguard.examples.chat");

    private ChatServer() {
    }

    public static void main(String[] args) throws Exception {
        String host = System.getProperty("wsguard.host", "127.0.0.1");
        int port = Integer.parseInt(System.getProperty("wsguard.port", "0"));
        boolean devMode = !jwtConfigured();
        DevIssuer issuer = null;
        if (devMode) {
            if (port == 0) {
                // The dev origin allowlist names the port, so it must be known before the endpoint deploys.
                port = freePort(host);
            }
            issuer = enterDevMode(host, port, System.getProperty("wsguard.tls.keystore") != null
                    || System.getProperty("wsguard.tls.key") != null);
        }

        GuardedServer.Builder builder = GuardedServer.builder().host(host).port(port)
                .maxMessageBytes(Integer.getInteger("wsguard.message.max-bytes", GuardedServer.DEFAULT_MAX_MESSAGE_BYTES))
                .handshakeTimeout(Duration.parse(System.getProperty("wsguard.handshake-timeout", "PT10S")))
                .endpoint(ChatEndpoint.class);
        String idle = System.getProperty("wsguard.idle-timeout");
        if (idle != null) {
            builder = builder.idleTimeout(Duration.parse(idle));
        }
        String keystore = System.getProperty("wsguard.tls.keystore");
        if (keystore != null) {
            String password = System.getProperty("wsguard.tls.password", "");
            builder = builder.tls(Path.of(keystore), password.toCharArray());
        }
        String pemKey = System.getProperty("wsguard.tls.key");
        if (pemKey != null) {
            String certificates = System.getProperty("wsguard.tls.certificates");
            if (certificates == null || keystore != null) {
                System.err.println("wsguard chat did not start: wsguard.tls.key needs wsguard.tls.certificates, and"
                        + " excludes wsguard.tls.keystore");
                System.exit(2);
            }
            builder = builder.tlsPem(Path.of(pemKey), Path.of(certificates));
        }
        if (issuer != null) {
            builder = builder.httpHandler("/dev/token", tokenHandler(issuer));
        }
        GuardedServer server = builder.build();
        try {
            server.start();
        } catch (DeploymentException e) {
            // The usual cause is a missing or unsafe setting; wsguard has logged which one just above.
            System.err.println("wsguard chat did not start: " + e.getMessage().strip()
                    + " (the reason is logged above)");
            System.exit(2);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "wsguard-chat-shutdown"));

        if (devMode) {
            System.out.println("DEV MODE: tokens for demo users alice, bob (other tenant) and carol (admin): GET "
                    + (server.uri("/").getScheme().equals("wss") ? "https://" : "http://") + hostForUrl(host) + ":"
                    + server.port() + "/dev/token?user=alice");
        }
        System.out.println("wsguard chat ready: " + server.uri("/chat"));
        System.out.flush();
        new CountDownLatch(1).await();
    }

    private static boolean jwtConfigured() {
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("mp.jwt.verify.")) {
                return true;
            }
        }
        for (String name : System.getenv().keySet()) {
            if (name.toUpperCase(Locale.ROOT).startsWith("MP_JWT_VERIFY_")) {
                return true;
            }
        }
        return false;
    }

    private static DevIssuer enterDevMode(String host, int port, boolean tls) {
        DevIssuer issuer = new DevIssuer();
        System.setProperty("mp.jwt.verify.publickey", issuer.publicKeyPem());
        System.setProperty("mp.jwt.verify.issuer", DevIssuer.ISSUER);
        System.setProperty("mp.jwt.verify.audiences", DevIssuer.AUDIENCE);
        if (System.getProperty("wsguard.origins.allowed") == null) {
            String h = hostForUrl(host);
            String scheme = tls ? "https://" : "http://";
            System.setProperty("wsguard.origins.allowed", scheme + h + ":" + port
                    + (h.equals("127.0.0.1") ? "," + scheme + "localhost:" + port : ""));
        }
        if (System.getProperty("wsguard.token.sources") == null) {
            System.setProperty("wsguard.token.sources", "header,subprotocol");
        }
        LOG.log(System.Logger.Level.WARNING, "DEV MODE: no mp.jwt.verify.* key is set, so tokens are signed by an"
                + " ephemeral in-process key and handed out to anyone at /dev/token. Never run this way in"
                + " production: set mp.jwt.verify.publickey.location, mp.jwt.verify.issuer and"
                + " mp.jwt.verify.audiences.");
        return issuer;
    }

    private static HttpHandler tokenHandler(DevIssuer issuer) {
        return new HttpHandler() {
            @Override
            public void service(Request request, Response response) throws IOException {
                response.setHeader("Cache-Control", "no-store");
                String token = issuer.tokenFor(String.valueOf(request.getParameter("user"))).orElse(null);
                if (token == null) {
                    response.setStatus(404);
                    response.setContentType("text/plain");
                    response.getWriter().write("unknown demo user; try alice, bob or carol\n");
                    return;
                }
                response.setContentType("text/plain");
                response.getWriter().write(token);
            }
        };
    }

    private static int freePort(String host) throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(host, 0));
            return socket.getLocalPort();
        }
    }

    private static String hostForUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
