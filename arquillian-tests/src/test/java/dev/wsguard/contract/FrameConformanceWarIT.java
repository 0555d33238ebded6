package dev.wsguard.contract;

import dev.wsguard.contract.controls.OpenControl;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 6455 frame errors on a guarded session of the example's WAR, and on an unguarded endpoint beside it: the
 * server's own frame parser reads the frames (Undertow's on WildFly; on Payara wsguard's
 * {@code GuardedUpgradeHandler} follows the frame headers and hands the rest to Tyrus's), and each error ends the
 * session with the close code the RFC names, as {@code FrameConformanceIT} shows for {@code GuardedServer}, except
 * where the server itself answers otherwise: Undertow in WildFly 38 closes every protocol error with 1003 instead of
 * 1002, on the unguarded endpoint too (WildFly 39's answers 1002). The guarded session always gets the same answer
 * as the unguarded one.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FrameConformanceWarIT {

    private static final byte[] PING = "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8);

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive war() {
        return ExampleWarIT.example(Tokens.properties()).addClass(OpenControl.class);
    }

    /** One protocol error: the frames sent (first byte, payload), and the close code the RFC asks for. */
    record Case(String name, List<Frame> frames, int closeCode) {
    }

    record Frame(int firstByte, byte[] payload) {
    }

    private static Case one(String name, int firstByte, byte[] payload, int closeCode) {
        return new Case(name, List.of(new Frame(firstByte, payload)), closeCode);
    }

    private static byte[] closePayload(int code) {
        return ByteBuffer.allocate(2).putShort((short) code).array();
    }

    static List<Case> cases() {
        return List.of(
                one("RSV1 set without an extension", 0xC1, PING, 1002),
                one("RSV3 set", 0x91, PING, 1002),
                one("reserved data opcode 0x3", 0x83, PING, 1002),
                one("reserved control opcode 0xB", 0x8B, new byte[0], 1002),
                one("fragmented ping", 0x09, new byte[0], 1002),
                one("ping over 125 bytes", 0x89, new byte[126], 1002),
                one("stray continuation", 0x80, PING, 1002),
                new Case("text frame inside a fragmented message", List.of(new Frame(0x01, new byte[] {'{'}),
                        new Frame(0x81, PING)), 1002),
                one("invalid UTF-8 in a text frame", 0x81, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}, 1007),
                one("UTF-8 encoded surrogate", 0x81, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, 1007),
                one("close with a one-byte payload", 0x88, new byte[] {0x03}, 1002),
                one("close with code 999", 0x88, closePayload(999), 1002),
                one("close with reserved code 1005", 0x88, closePayload(1005), 1002),
                one("close with code 5000", 0x88, closePayload(5000), 1002));
    }

    @TestFactory
    Stream<DynamicTest> frameWhenRfcViolationThenClosedWithTheRfcCode() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            int unguarded;
            try (RawSocket socket = RawSocket.open(at("open"), null)) {
                send(socket, c);
                unguarded = closeCode(socket);
            }
            try (RawSocket socket = joinChat("rfc-")) {
                send(socket, c);
                int guarded = closeCode(socket);
                assertThat(guarded).as(c.name() + ": the same answer as the unguarded endpoint's").isEqualTo(unguarded);
                assertThat(guarded).as(c.name()).isEqualTo(wildFly38() && c.closeCode() == 1002 ? 1003 : c.closeCode());
            }
        }));
    }

    /**
     * An unmasked text frame (RFC 6455, section 5.1: the server must close the connection) carrying a message the chat
     * would answer: never answered on the guarded endpoint.
     */
    @Test
    void frameWhenUnmaskedThenClosedAndNeverAnswered() throws Exception {
        String unguarded;
        try (RawSocket socket = RawSocket.open(at("open"), null)) {
            socket.sendFrame(0x81, PING, false);
            unguarded = socket.nextAnswer();
        }
        try (RawSocket socket = joinChat("unmasked-")) {
            socket.sendFrame(0x81, PING, false);
            assertThat(socket.nextAnswer()).as("unguarded: " + unguarded)
                    .isEqualTo(wildFly38() ? "close:1003" : "close:1002");
        }
        // Tyrus's parser, which Payara's unguarded endpoint uses, takes the unmasked frame as if it were masked.
        boolean payara = "payara".equals(System.getProperty("arquillian.launch"));
        assertThat(unguarded).startsWith(payara ? "text:" : "close:");
    }

    /** A session of the chat for a new user, its welcome read. */
    private RawSocket joinChat(String prefix) throws Exception {
        RawSocket socket = RawSocket.open(at("chat"), ExampleWarIT.chatToken(prefix + System.nanoTime(), "acme"));
        assertThat(socket.nextText()).contains("\"type\":\"welcome\"");
        return socket;
    }

    private static void send(RawSocket socket, Case c) {
        for (Frame frame : c.frames()) {
            socket.sendFrame(frame.firstByte(), frame.payload());
        }
    }

    private URI at(String path) {
        return URI.create("ws://127.0.0.1:" + base.getPort() + base.getPath() + path);
    }

    /** Undertow in WildFly 38 answers 1003 ("cannot accept") where RFC 6455 names 1002; WildFly 39's answers 1002. */
    private static boolean wildFly38() {
        return "wildfly".equals(System.getProperty("arquillian.launch"))
                && System.getProperty("wildfly.version", "").startsWith("38.");
    }

    /** The code of the server's close frame; -1 if the connection ended without one. */
    private static int closeCode(RawSocket socket) {
        try {
            return socket.awaitCloseCode();
        } catch (IOException ended) {
            return -1;
        }
    }
}
