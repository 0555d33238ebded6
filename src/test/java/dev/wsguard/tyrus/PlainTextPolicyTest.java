package dev.wsguard.tyrus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Plain-text ws:// is refused off loopback unless explicitly allowed, and logged wherever it runs. */
class PlainTextPolicyTest {

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger(GuardedServer.class.getName());
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLog() {
        logger.addHandler(handler);
    }

    @AfterEach
    void releaseLog() {
        logger.removeHandler(handler);
    }

    @Test
    void startWhenWildcardHostWithoutTlsThenIllegalStateAndNothingBound() {
        GuardedServer server = GuardedServer.builder().host("0.0.0.0").endpoint(TestEndpoints.Echo.class).build();

        assertThatThrownBy(server::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("0.0.0.0")
                .hasMessageContaining("tls(")
                .hasMessageContaining("allowPlainText(true)");
        assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class);
        server.close();
    }

    @Test
    void startWhenOtherInterfaceWithoutTlsThenIllegalState() throws Exception {
        InetAddress other = nonLoopbackAddress();
        GuardedServer server = GuardedServer.builder().host(other.getHostAddress())
                .endpoint(TestEndpoints.Echo.class).build();

        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class);
        server.close();
    }

    @Test
    void startWhenOtherInterfaceAndAllowPlainTextThenServesAndWarns() throws Exception {
        InetAddress other = nonLoopbackAddress();
        try (GuardedServer server = GuardedServer.builder().host(other.getHostAddress()).allowPlainText(true)
                .endpoint(TestEndpoints.Echo.class).build()) {
            server.start();

            assertThat(GuardedServerTest.jdkEcho(server.uri("/echo"), "proxied")).isEqualTo("proxied");
        }
        assertThat(plainTextWarnings()).singleElement()
                .satisfies(record -> assertThat(record.getMessage()).contains("allowPlainText"));
    }

    @Test
    void startWhenLoopbackWithoutTlsThenServesAndWarns() throws Exception {
        for (String host : List.of("127.0.0.1", "localhost")) {
            records.clear();
            try (GuardedServer server = GuardedServer.builder().host(host).endpoint(TestEndpoints.Echo.class)
                    .build()) {
                server.start();

                try (Socket socket = new Socket(host, server.port())) {
                    RawHttp.send(socket, RawHttp.upgradeRequest("/echo"));
                    assertThat(RawHttp.readHead(socket, Duration.ofSeconds(2)).statusLine())
                            .isEqualTo("HTTP/1.1 101 Switching Protocols");
                }
            }
            assertThat(plainTextWarnings()).as(host).singleElement()
                    .satisfies(record -> assertThat(record.getParameters()).containsExactly(host));
        }
    }

    @Test
    void startWhenIpv6LoopbackWithoutTlsThenServes() throws Exception {
        try (GuardedServer server = GuardedServer.builder().host("::1").endpoint(TestEndpoints.Echo.class).build()) {
            Assumptions.assumeTrue(canStart(server), "no IPv6 loopback on this machine");

            assertThat(GuardedServerTest.jdkEcho(server.uri("/echo"), "six")).isEqualTo("six");
        }
        assertThat(plainTextWarnings()).hasSize(1);
    }

    private List<LogRecord> plainTextWarnings() {
        return records.stream()
                .filter(record -> record.getLevel() == Level.WARNING && record.getMessage().contains("plain text"))
                .toList();
    }

    private static boolean canStart(GuardedServer server) {
        try {
            server.start();
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static InetAddress nonLoopbackAddress() throws SocketException {
        Optional<InetAddress> found = NetworkInterface.networkInterfaces()
                .filter(PlainTextPolicyTest::isUp)
                .flatMap(NetworkInterface::inetAddresses)
                .filter(address -> address instanceof Inet4Address)
                .filter(address -> !address.isLoopbackAddress() && !address.isLinkLocalAddress()
                        && !address.isAnyLocalAddress())
                .findFirst();
        Assumptions.assumeTrue(found.isPresent(), "no non-loopback IPv4 address on this machine");
        return found.get();
    }

    private static boolean isUp(NetworkInterface networkInterface) {
        try {
            return networkInterface.isUp() && !networkInterface.isLoopback();
        } catch (SocketException e) {
            return false;
        }
    }
}
