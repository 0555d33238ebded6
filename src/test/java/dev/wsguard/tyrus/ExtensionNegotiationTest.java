package dev.wsguard.tyrus;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.time.Duration;

import dev.wsguard.GuardConfig;
import dev.wsguard.WsGuardConfigurator;
import dev.wsguard.testing.TestTokens;
import jakarta.websocket.Extension;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
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

    /** An extension as a server that offers compression installs it: only its name matters to the negotiation. */
    static final class Deflate implements Extension {
        @Override
        public String getName() {
            return "permessage-deflate";
        }

        @Override
        public List<Parameter> getParameters() {
            return List.of();
        }
    }

    @Test
    void negotiationWhenServerInstallsDeflateThenPlainConfiguratorAcceptsItAndWsGuardsDeclines() throws Exception {
        GuardConfig config = GuardConfig.builder().allowedOrigins("https://chat.test")
                .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048())).issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE).build();
        ServerEndpointConfig.Configurator plain = new ServerEndpointConfig.Configurator();
        List<Extension> installed = List.of(new Deflate());
        List<Extension> requested = List.of(new Deflate());
        assertThat(plain.getNegotiatedExtensions(installed, requested)).as("the default configurator")
                .extracting(Extension::getName).containsExactly("permessage-deflate");
        assertThat(new WsGuardConfigurator(config) { }.getNegotiatedExtensions(installed, requested)).isEmpty();
    }
}
