package dev.wsguard.examples.chat;

import dev.wsguard.tyrus.GuardedServer;
import jakarta.websocket.DeploymentException;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

import java.io.IOException;
import java.net.BindException;
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
 * {@code wsguard.idle-timeout}, {@code wsguard.message.max-bytes}, {@code wsguard.chat.max-subscriptions} (channels
 * per session, default 32), and every {@code wsguard.*} key of {@link dev.wsguard.GuardConfig} (trusted proxies,
 * quotas, rate limits).
 *
 * <p>With no {@code mp.jwt.verify.*} key it runs in dev mode, and says so in the log and on the page: an ephemeral
 * key signs tokens for the demo users at {@code GET /dev/token?user=alice|bob|carol} (lifetime
 * {@code wsguard.dev.token-lifetime}, default {@code PT2M}), {@code POST /dev/login?user=...} sets the same token as a
 * cookie, {@code GET /dev/events} shows recent security events, and the demo page is served at {@code /}.
 */
public final class ChatServer {

    private static final System.Logger LOG = System.getLogger("dev.wsguard.examples.chat");

    /** Binds tried in dev mode before giving up, each on a freshly picked free port. */
    private static final int PORT_ATTEMPTS = 5;

    private ChatServer() {
    }

    public static void main(String[] args) throws Exception {
        String host = System.getProperty("wsguard.host", "127.0.0.1");
        int requestedPort = Integer.parseInt(System.getProperty("wsguard.port", "0"));
        boolean devMode = !jwtConfigured();
        try {
            // The endpoint reads it only when its first session opens; a bad value must stop the launch instead.
            ChatSettings.maxSubscriptions();
        } catch (IllegalArgumentException e) {
            System.err.println("wsguard chat did not start: " + e.getMessage());
            System.exit(2);
        }
        String keystore = System.getProperty("wsguard.tls.keystore");
        boolean tls = keystore != null || System.getProperty("wsguard.tls.key") != null;
        boolean ownOriginsByDefault = devMode && System.getProperty("wsguard.origins.allowed") == null;
        DevIssuer issuer = devMode ? enterDevMode() : null;
        // In dev mode the origin allowlist and the page's CSP name the port, so a free one is picked before the
        // endpoint deploys; another process can take it before the bind, so pick again then.
        boolean pickPort = devMode && requestedPort == 0;

        GuardedServer server;
        for (int attempt = 1; ; attempt++) {
            int port = pickPort ? freePort(host) : requestedPort;
            if (ownOriginsByDefault) {
                System.setProperty("wsguard.origins.allowed", String.join(",", ownOrigins(host, port, tls)));
            }
            server = configure(host, port, keystore, issuer).build();
            try {
                server.start();
                break;
            } catch (BindException e) {
                if (!pickPort || attempt == PORT_ATTEMPTS) {
                    throw e;
                }
                LOG.log(System.Logger.Level.WARNING, "port " + port + " was taken before the server could bind it;"
                        + " picking another");
            } catch (DeploymentException e) {
                // The usual cause is a missing or unsafe setting; wsguard has logged which one just above.
                System.err.println("wsguard chat did not start: " + e.getMessage().strip()
                        + " (the reason is logged above)");
                System.exit(2);
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "wsguard-chat-shutdown"));

        String page = (tls ? "https://" : "http://") + hostForUrl(host) + ":" + server.port() + "/";
        if (devMode) {
            System.out.println("DEV MODE: tokens for demo users alice, bob (other tenant) and carol (admin): GET "
                    + page + "dev/token?user=alice; security events at " + page + "dev/events");
            System.out.println("wsguard chat ready: " + server.uri("/chat") + " (demo page " + page + ")");
        } else {
            System.out.println("wsguard chat ready: " + server.uri("/chat"));
        }
        System.out.flush();
        new CountDownLatch(1).await();
    }

    /** The server as the system properties describe it; in dev mode with the demo page and the dev endpoints. */
    private static GuardedServer.Builder configure(String host, int port, String keystore, DevIssuer issuer) {
        GuardedServer.Builder builder = GuardedServer.builder().host(host).port(port)
                .maxMessageBytes(Integer.getInteger("wsguard.message.max-bytes", GuardedServer.DEFAULT_MAX_MESSAGE_BYTES))
                .handshakeTimeout(Duration.parse(System.getProperty("wsguard.handshake-timeout", "PT10S")))
                .endpoint(ChatEndpoint.class);
        String idle = System.getProperty("wsguard.idle-timeout");
        if (idle != null) {
            builder = builder.idleTimeout(Duration.parse(idle));
        }
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
            builder = builder.httpHandler("/", new DemoPage(ownOrigins(host, port, keystore != null || pemKey != null)))
                    .httpHandler("/dev/token", tokenHandler(issuer))
                    .httpHandler("/dev/login", loginHandler(issuer))
                    .httpHandler("/dev/events", DevEvents.handler());
        }
        return builder;
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

    private static DevIssuer enterDevMode() {
        DevIssuer issuer = new DevIssuer(Duration.parse(System.getProperty("wsguard.dev.token-lifetime",
                DevIssuer.DEFAULT_LIFETIME.toString())));
        System.setProperty("mp.jwt.verify.publickey", issuer.publicKeyPem());
        System.setProperty("mp.jwt.verify.issuer", DevIssuer.ISSUER);
        System.setProperty("mp.jwt.verify.audiences", DevIssuer.AUDIENCE);
        if (System.getProperty("wsguard.token.sources") == null) {
            // The cookie source is on so that the cross-site hijacking defence can be seen: a cookie counts only
            // when the request's Origin is on the allowlist.
            System.setProperty("wsguard.token.sources", "header,subprotocol,cookie");
        }
        DevEvents.enable();
        LOG.log(System.Logger.Level.WARNING, "DEV MODE: no mp.jwt.verify.* key is set, so tokens are signed by an"
                + " ephemeral in-process key and handed out to anyone at /dev/token, and security events are"
                + " shown to anyone at /dev/events. Never run this way in production: set"
                + " mp.jwt.verify.publickey.location, mp.jwt.verify.issuer and mp.jwt.verify.audiences.");
        return issuer;
    }

    /** The origins the server's own pages have: its host, plus {@code localhost} when that is 127.0.0.1. */
    private static String[] ownOrigins(String host, int port, boolean tls) {
        String h = hostForUrl(host);
        String scheme = tls ? "https://" : "http://";
        return h.equals("127.0.0.1")
                ? new String[] {scheme + h + ":" + port, scheme + "localhost:" + port}
                : new String[] {scheme + h + ":" + port};
    }

    /** {@code GET /dev/token?user=alice}: a fresh token as plain text. */
    private static HttpHandler tokenHandler(DevIssuer issuer) {
        return new HttpHandler() {
            @Override
            public void service(Request request, Response response) throws IOException {
                DemoPage.noStore(response);
                String token = issuer.tokenFor(String.valueOf(request.getParameter("user"))).orElse(null);
                response.setContentType("text/plain");
                if (token == null) {
                    response.setStatus(404);
                    response.getWriter().write("unknown demo user; try alice, bob or carol\n");
                    return;
                }
                response.getWriter().write(token);
            }
        };
    }

    /**
     * {@code POST /dev/login?user=alice}: signs the browser in with a cookie ({@code mp.jwt.token.cookie}, default
     * {@code Bearer}), the kind of ambient credential cross-site WebSocket hijacking rides on. {@code SameSite}
     * does not help here: a page on another port of the same host is same-site.
     */
    private static HttpHandler loginHandler(DevIssuer issuer) {
        return new HttpHandler() {
            @Override
            public void service(Request request, Response response) throws IOException {
                DemoPage.noStore(response);
                if (request.getMethod() != Method.POST) {
                    response.setStatus(405);
                    response.setHeader("Allow", "POST");
                    response.setContentLength(0);
                    return;
                }
                String token = issuer.tokenFor(String.valueOf(request.getParameter("user"))).orElse(null);
                if (token == null) {
                    response.setStatus(404);
                    response.setContentLength(0);
                    return;
                }
                String cookie = System.getProperty("mp.jwt.token.cookie", "Bearer");
                response.setHeader("Set-Cookie", cookie + "=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                        + issuer.lifetime().toSeconds() + (request.isSecure() ? "; Secure" : ""));
                response.setStatus(204);
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
