package dev.wsguard.tyrus;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * No WebSocket extension is installed: an offered {@code permessage-deflate} (and its decompression-bomb risk) is
 * declined, and frames flow uncompressed.
 */
class ExtensionNegotiationTest {

    @Test
    void handshakeWhenClientOffersPermessageDeflateThenNoExtensionInThe101() throws Exception {
        try (GuardedServer server = GuardedServer.builder().endpoint(TestEndpoints.Echo.class).build()) {
            server.start();
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                String offer = RawHttp.upgradeRequest("/echo").replace("\r\n\r\n",
                        "\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n");
                RawHttp.send(socket, offer);

                RawHttp.Head head = RawHttp.readHead(socket, Duration.ofSeconds(2));

                assertThat(head.statusLine()).isEqualTo("HTTP/1.1 101 Switching Protocols");
                assertThat(head.header("Sec-WebSocket-Extensions")).isEmpty();

                RawHttp.send(socket, RawHttp.maskedTextFrame("plain frames"));
                byte[] expected = RawHttp.serverTextFrame("plain frames");
                socket.setSoTimeout(2_000);
                assertThat(socket.getInputStream().readNBytes(expected.length)).isEqualTo(expected);
            }
        }
    }
}
