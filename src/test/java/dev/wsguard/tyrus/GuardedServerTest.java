package dev.wsguard.tyrus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;

import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Lifecycle, deployment and plain echo through real clients. */
class GuardedServerTest {

    @Test
    void echoWhenJdkClientThenMessageReturned() throws Exception {
        try (GuardedServer server = GuardedServer.builder().endpoint(TestEndpoints.Echo.class).build()) {
            server.start();

            assertThat(jdkEcho(server.uri("/echo"), "hello")).isEqualTo("hello");
        }
    }

    @Test
    void echoWhenTyrusClientThenMessageReturned() throws Exception {
        try (GuardedServer server = GuardedServer.builder().endpoint(TestEndpoints.Echo.class).build()) {
            server.start();

            assertThat(tyrusEcho(server.uri("/echo"), "hello")).isEqualTo("hello");
        }
    }

    @Test
    void echoWhenProgrammaticEndpointUnderContextPathThenMessageReturned() throws Exception {
        ServerEndpointConfig config = ServerEndpointConfig.Builder
                .create(TestEndpoints.ProgrammaticEcho.class, "/prog")
                .build();
        try (GuardedServer server = GuardedServer.builder()
                .contextPath("/app/")
                .endpoint(config)
                .endpoint(TestEndpoints.Echo.class)
                .build()) {
            server.start();

            assertThat(server.uri("/prog").getPath()).isEqualTo("/app/prog");
            assertThat(tyrusEcho(server.uri("/prog"), "hi")).isEqualTo("programmatic:hi");
            assertThat(jdkEcho(server.uri("echo"), "hi")).isEqualTo("hi");
        }
    }

    @Test
    void selectorThreadsWhenSetThenThatManyWaitForTheConnections() throws Exception {
        Set<Thread> before = selectorRunners();
        try (GuardedServer server = GuardedServer.builder().selectorThreads(3)
                .endpoint(TestEndpoints.Echo.class).build()) {
            server.start();
            for (int i = 0; i < 6; i++) {
                assertThat(jdkEcho(server.uri("/echo"), "hello " + i)).isEqualTo("hello " + i);
            }

            Set<Thread> started = selectorRunners();
            started.removeAll(before);
            assertThat(started).hasSize(3);
        }
    }

    @Test
    void selectorThreadsWhenUnsetThenHalfTheProcessorsAtLeastOne() {
        assertThat(GuardedServer.Builder.defaultSelectorThreads())
                .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        assertThatThrownBy(() -> GuardedServer.builder().selectorThreads(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("selectorThreads");
    }

    /** Grizzly's selector threads alive now. */
    private static Set<Thread> selectorRunners() {
        Set<Thread> runners = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().contains("SelectorRunner")) {
                runners.add(t);
            }
        }
        return runners;
    }

    @Test
    void uriWhenStartedThenWsSchemeHostAndBoundPort() throws Exception {
        try (GuardedServer server = GuardedServer.builder().endpoint(TestEndpoints.Echo.class).build()) {
            server.start();

            assertThat(server.port()).isPositive();
            assertThat(server.uri("/echo")).isEqualTo(URI.create("ws://127.0.0.1:" + server.port() + "/echo"));
        }
    }

    @Test
    void uriWhenIpv6HostThenBracketedAndReachable() throws Exception {
        Assumptions.assumeTrue(canBind("::1"), "no IPv6 loopback on this machine");
        try (GuardedServer server = GuardedServer.builder().host("::1").endpoint(TestEndpoints.Echo.class).build()) {
            server.start();

            assertThat(server.uri("/echo").toString()).isEqualTo("ws://[::1]:" + server.port() + "/echo");
            assertThat(jdkEcho(server.uri("/echo"), "six")).isEqualTo("six");
        }
    }

    @Test
    void startWhenConfiguratorConstructorThrowsThenDeploymentExceptionAndNothingListens() throws Exception {
        int port = freePort();
        GuardedServer server = GuardedServer.builder()
                .port(port)
                .endpoint(TestEndpoints.Echo.class)
                .endpoint(TestEndpoints.Broken.class)
                .build();

        assertThatThrownBy(server::start).isInstanceOf(DeploymentException.class);

        // Grizzly may finish unbinding just after close() returns, and another process may bind the freed port at
        // any moment: one refusal within two seconds proves we let go.
        boolean refused = false;
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (!refused && System.nanoTime() < deadline) {
            refused = catchThrowable(() -> connect(port)) instanceof ConnectException;
            if (!refused) {
                Thread.sleep(50);
            }
        }
        assertThat(refused).as("connection to the closed server's port refused").isTrue();
        assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
        server.close();
    }

    @Test
    void startWhenPortTakenThenIoExceptionAndEndpointsUndeployed() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            GuardedServer server = GuardedServer.builder()
                    .port(taken.getLocalPort())
                    .endpoint(TestEndpoints.Echo.class)
                    .build();

            assertThatThrownBy(server::start).isInstanceOf(IOException.class);
            assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void closeWhenCalledTwiceThenStoppedAndNoError() throws Exception {
        GuardedServer server = GuardedServer.builder().endpoint(TestEndpoints.Echo.class).build();
        server.start();
        int port = server.port();

        server.close();
        server.close();

        // Grizzly may finish unbinding just after close() returns, and another process may bind the freed port at
        // any moment: one refusal within two seconds proves we let go.
        boolean refused = false;
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (!refused && System.nanoTime() < deadline) {
            refused = catchThrowable(() -> connect(port)) instanceof ConnectException;
            if (!refused) {
                Thread.sleep(50);
            }
        }
        assertThat(refused).as("connection to the closed server's port refused").isTrue();
        assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void startWhenCalledTwiceThenIllegalState() throws Exception {
        try (GuardedServer server = GuardedServer.builder().endpoint(TestEndpoints.Echo.class).build()) {
            server.start();

            assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void portWhenNotStartedThenIllegalState() {
        GuardedServer server = GuardedServer.builder().build();

        assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> server.uri("/echo")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void endpointWhenClassNotAnnotatedThenIllegalArgument() {
        assertThatThrownBy(() -> GuardedServer.builder().endpoint(TestEndpoints.ProgrammaticEcho.class))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void builderWhenArgumentsInvalidThenIllegalArgument() {
        GuardedServer.Builder builder = GuardedServer.builder();

        assertThatThrownBy(() -> builder.port(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.port(65_536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.host(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.contextPath("app")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.handshakeTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.handshakeTimeout(Duration.ofNanos(999_999)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.handshakeTimeout(Duration.ofDays(2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.idleTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.idleTimeout(Duration.ofNanos(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.idleTimeout(Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.httpHandler("dev", new NotFoundHandler()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.httpHandler("/dev", new NotFoundHandler())
                .httpHandler("/dev/", new NotFoundHandler()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void builderWhenSetterCalledThenOriginalUnchanged() throws Exception {
        GuardedServer.Builder base = GuardedServer.builder();
        GuardedServer.Builder withEcho = base.endpoint(TestEndpoints.Echo.class);

        try (GuardedServer server = base.build()) {
            server.start();
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                RawHttp.send(socket, RawHttp.upgradeRequest("/echo"));
                assertThat(RawHttp.readHead(socket, Duration.ofSeconds(1)).statusLine())
                        .isEqualTo("HTTP/1.1 404 Not Found");
            }
        }
        try (GuardedServer server = withEcho.build()) {
            server.start();
            assertThat(jdkEcho(server.uri("/echo"), "x")).isEqualTo("x");
        }
    }

    static String jdkEcho(URI uri, String message) throws Exception {
        CompletableFuture<String> received = new CompletableFuture<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(uri, new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            received.complete(text.toString());
                        }
                        webSocket.request(1);
                        return null;
                    }
                })
                .get(5, TimeUnit.SECONDS);
        socket.sendText(message, true).get(5, TimeUnit.SECONDS);
        String reply = received.get(5, TimeUnit.SECONDS);
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        return reply;
    }

    static String tyrusEcho(URI uri, String message) throws Exception {
        CompletableFuture<String> received = new CompletableFuture<>();
        ClientManager client = ClientManager.createClient();
        try {
            Session session = client.connectToServer(new Endpoint() {
                @Override
                public void onOpen(Session session, EndpointConfig config) {
                    session.addMessageHandler(String.class, (MessageHandler.Whole<String>) received::complete);
                }
            }, ClientEndpointConfig.Builder.create().build(), uri);
            session.getBasicRemote().sendText(message);
            String reply = received.get(5, TimeUnit.SECONDS);
            session.close();
            return reply;
        } finally {
            client.shutdown();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void connect(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
        }
    }

    private static boolean canBind(String host) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
