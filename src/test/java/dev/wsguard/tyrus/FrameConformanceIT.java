package dev.wsguard.tyrus;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.stream.Stream;

import dev.wsguard.GuardConfig;
import dev.wsguard.testing.RawHandshake;
import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.chat.GuardedChat;
import dev.wsguard.testing.chat.TestGuard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every frame error of RFC 6455 keeps its answer on a guarded endpoint: whether Tyrus or wsguard's frame filter
 * answers it, the client gets a close frame with the code the RFC names, then the connection ends.
 */
class FrameConformanceIT {

    private static final String ORIGIN = "https://chat.test";
    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

    private static GuardedServer server;

    @BeforeAll
    static void start() throws Exception {
        TestGuard.config = GuardConfig.builder()
                .allowedOrigins(ORIGIN)
                .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048()))
                .issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE)
                .bansEnabled(false)
                .build();
        server = GuardedServer.builder().endpoint(GuardedChat.class).build();
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    record Case(String name, byte[] frames, int closeCode) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        byte[] ping = "{\"type\":\"ping\"}".getBytes();
        return Stream.of(
                new Case("RSV1 set without an extension", withFirstByte(RawWebSocket.frame(true, 1, ping), 0xC1), 1002),
                new Case("RSV3 set", withFirstByte(RawWebSocket.frame(true, 1, ping), 0x91), 1002),
                new Case("reserved data opcode 0x3", RawWebSocket.frame(true, 0x3, ping), 1002),
                new Case("reserved control opcode 0xB", RawWebSocket.frame(true, 0xB, new byte[0]), 1002),
                new Case("fragmented ping", RawWebSocket.frame(false, RawWebSocket.PING, new byte[0]), 1002),
                new Case("ping over 125 bytes", RawWebSocket.frame(true, RawWebSocket.PING, new byte[126]), 1002),
                new Case("stray continuation", RawWebSocket.frame(true, RawWebSocket.CONTINUATION, ping), 1002),
                new Case("text frame inside a fragmented message", concat(
                        RawWebSocket.frame(false, RawWebSocket.TEXT, new byte[] {'{'}),
                        RawWebSocket.frame(true, RawWebSocket.TEXT, ping)), 1002),
                new Case("invalid UTF-8 in a text frame", RawWebSocket.frame(true, RawWebSocket.TEXT,
                        new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}), 1007),
                new Case("UTF-8 encoded surrogate", RawWebSocket.frame(true, RawWebSocket.TEXT,
                        new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}), 1007),
                new Case("close with a one-byte payload", RawWebSocket.frame(true, RawWebSocket.CLOSE,
                        new byte[] {0x03}), 1002),
                new Case("close with code 999", closeFrame(999), 1002),
                new Case("close with reserved code 1005", closeFrame(1005), 1002),
                new Case("close with code 5000", closeFrame(5000), 1002));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void frameWhenRfcViolationThenClosedWithTheRfcCode(Case c) throws Exception {
        String token = TestTokens.token().subject("conformance").sign();
        try (RawWebSocket client = RawWebSocket.over(RawHandshake.to(server.uri("/guarded")).origin(ORIGIN)
                .bearer(token).open(65536))) {
            client.send(c.frames());
            RawWebSocket.Frame answer = client.readFrame(FIVE_SECONDS);
            assertThat(answer.opcode()).as("a close frame").isEqualTo(RawWebSocket.CLOSE);
            assertThat(answer.closeCode()).isEqualTo(c.closeCode());
            client.answerClose();
            client.readToEnd(FIVE_SECONDS);
        }
    }

    private static byte[] withFirstByte(byte[] frame, int first) {
        frame[0] = (byte) first;
        return frame;
    }

    private static byte[] closeFrame(int code) {
        return RawWebSocket.frame(true, RawWebSocket.CLOSE, ByteBuffer.allocate(2).putShort((short) code).array());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
