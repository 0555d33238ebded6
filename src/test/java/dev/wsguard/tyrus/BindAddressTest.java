package dev.wsguard.tyrus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import java.util.Optional;

import org.glassfish.tyrus.server.Server;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server listens on the configured address only; Tyrus's own {@link Server} listens everywhere. */
class BindAddressTest {

    private InetAddress otherAddress;

    @BeforeEach
    void findNonLoopbackAddress() throws SocketException {
        Optional<InetAddress> found = nonLoopbackAddress();
        Assumptions.assumeTrue(found.isPresent(), "no non-loopback IPv4 address on this machine");
        otherAddress = found.get();
    }

    @Test
    void startWhenHostIsLoopbackThenOtherLocalAddressRefused() throws Exception {
        try (GuardedServer server = GuardedServer.builder().host("127.0.0.1")
                .endpoint(TestEndpoints.Echo.class).build()) {
            server.start();

            assertThat(catchThrowable(() -> connect(InetAddress.getByName("127.0.0.1"), server.port()))).isNull();
            assertThat(catchThrowable(() -> connect(otherAddress, server.port())))
                    .isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void startWhenHostIsOtherAddressThenLoopbackRefused() throws Exception {
        try (GuardedServer server = GuardedServer.builder().host(otherAddress.getHostAddress()).allowPlainText(true)
                .endpoint(TestEndpoints.Echo.class).build()) {
            server.start();

            assertThat(catchThrowable(() -> connect(otherAddress, server.port()))).isNull();
            assertThat(catchThrowable(() -> connect(InetAddress.getByName("127.0.0.1"), server.port())))
                    .isInstanceOf(ConnectException.class);
            assertThat(GuardedServerTest.jdkEcho(server.uri("/echo"), "there")).isEqualTo("there");
        }
    }

    @Test
    void tyrusOwnServerWhenHostIsLoopbackThenOtherLocalAddressReachable() throws Exception {
        Server tyrus = new Server("127.0.0.1", -1, "/", Map.of(), TestEndpoints.Echo.class);
        tyrus.start();
        try {
            assertThat(catchThrowable(() -> connect(otherAddress, tyrus.getPort()))).isNull();
        } finally {
            tyrus.stop();
        }
    }

    private static void connect(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 1000);
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        return NetworkInterface.networkInterfaces()
                .filter(BindAddressTest::isUp)
                .flatMap(NetworkInterface::inetAddresses)
                .filter(address -> address instanceof Inet4Address)
                .filter(address -> !address.isLoopbackAddress() && !address.isLinkLocalAddress()
                        && !address.isAnyLocalAddress())
                .findFirst();
    }

    private static boolean isUp(NetworkInterface networkInterface) {
        try {
            return networkInterface.isUp() && !networkInterface.isLoopback();
        } catch (SocketException e) {
            return false;
        }
    }
}
