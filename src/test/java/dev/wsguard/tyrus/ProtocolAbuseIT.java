package dev.wsguard.tyrus;

import static dev.wsguard.tyrus.RawWebSocket.CONTINUATION;
import static dev.wsguard.tyrus.RawWebSocket.PING;
import static dev.wsguard.tyrus.RawWebSocket.TEXT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.wsguard.GuardConfig;
import dev.wsguard.Rejection;
import dev.wsguard.internal.FrameSizeTracker;
import dev.wsguard.SecurityEvent;
import dev.wsguard.internal.TransportLink;
import dev.wsguard.testing.RawHandshake;
import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.chat.GuardedChat;
import dev.wsguard.testing.chat.OpenChat;
import dev.wsguard.testing.chat.TestGuard;
import org.glassfish.tyrus.server.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What one client can do to the server with frames alone, on real sockets: ping floods with and without reading the
 * pongs, a message in a million empty fragments, unmasked frames, a close it never answers, an upload it keeps
 * sending after its refusal. Each attack runs against Tyrus's own {@link Server} first, where it works, then against
 * {@link GuardedServer}, where it must not.
 */
class ProtocolAbuseIT {

    private static final String ORIGIN = "https://chat.test";
    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);
    private static final byte[] PING_PAYLOAD = RawWebSocket.payload(125);
    private static final String ECHO = "{\"type\":\"ping\"}";
    private static final ConcurrentLinkedQueue<SecurityEvent> EVENTS = new ConcurrentLinkedQueue<>();

    private static GuardedServer server;
    private static Server tyrus;
    private static int subjects;

    @BeforeAll
    static void start() throws Exception {
        TestGuard.config = GuardConfig.builder()
                .allowedOrigins(ORIGIN)
                .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048()))
                .issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE)
                .handshakeRateLimit(100_000, Duration.ofSeconds(1))
                .connectionQuotas(1_000, 1, 10_000, 20_000)
                .outboundMaxBytes(256 * 1024)
                .rateLimit("session", 1_000, Duration.ofSeconds(1))
                .bansEnabled(false)
                .listener(EVENTS::add)
                .build();
        // A small send buffer, so that what a client does not read waits in the server's queue, not in the kernel.
        server = GuardedServer.builder().endpoint(GuardedChat.class).socketSendBuffer(4096).build();
        server.start();
        tyrus = new Server("127.0.0.1", -1, "/", Map.of(), OpenChat.class);
        tyrus.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (tyrus != null) {
            tyrus.stop();
        }
    }

    @BeforeEach
    void clearEvents() {
        EVENTS.clear();
    }

    @Test
    void pingFloodWhenClientNeverReadsThenTyrusQueuesEveryPongButGuardDropsTheConnection() throws Exception {
        int pings = 40_000;
        try (RawWebSocket attacker = RawWebSocket.open(smallReceiveBuffer(), tyrus.getPort(), "/open")) {
            assertThat(sendPings(attacker, pings)).as("pings Tyrus read").isEqualTo(pings);
            // Tyrus read every ping and queued a pong for each: all of them are still there to be read.
            assertThat(countPongs(attacker, pings)).as("pongs queued for a client that did not read").isEqualTo(pings);
        }

        String subject = nextSubject();
        try (RawWebSocket attacker = open(subject, 4096); RawWebSocket bystander = open(nextSubject(), 65536)) {
            long started = System.nanoTime();
            ExecutorService flood = Executors.newSingleThreadExecutor();
            try {
                Future<Integer> written = flood.submit(() -> sendPings(attacker, 5_000_000));
                List<Long> latencies = new ArrayList<>();
                while (!written.isDone() && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(20)) {
                    latencies.add(roundTripMillis(bystander));
                    Thread.sleep(20);
                }
                assertThat(written.get(20, TimeUnit.SECONDS)).as("pings written before the connection was dropped")
                        .isLessThan(100_000);
                assertThat(latencies).as("round trips of another client during the flood (ms)")
                        .allMatch(millis -> millis < 1_000);
            } finally {
                flood.shutdownNow();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            assertThat(closedBecause(subject)).isIn(Rejection.RATE_LIMITED, Rejection.OUTBOUND_OVERFLOW);
        }
    }

    @Test
    void pingFloodWhenClientReadsThenClosed4429OnceTheToleratedExcessIsPassed() throws Exception {
        try (RawWebSocket attacker = RawWebSocket.open(tyrus.getPort(), "/open")) {
            ExecutorService reader = Executors.newSingleThreadExecutor();
            try {
                Future<Integer> pongs = reader.submit(() -> countPongs(attacker, 20_000));
                assertThat(sendPings(attacker, 20_000)).isEqualTo(20_000);
                assertThat(pongs.get(30, TimeUnit.SECONDS)).as("Tyrus answers every ping").isEqualTo(20_000);
            } finally {
                reader.shutdownNow();
            }
        }

        String subject = nextSubject();
        try (RawWebSocket attacker = open(subject, 65536)) {
            ExecutorService reader = Executors.newSingleThreadExecutor();
            try {
                Future<RawWebSocket.Frame> close = reader.submit(() -> firstNonPong(attacker));
                sendPings(attacker, 20_000);
                RawWebSocket.Frame frame = close.get(10, TimeUnit.SECONDS);
                assertThat(frame.closeCode()).isEqualTo(Rejection.RATE_LIMITED.closeCode());
                attacker.answerClose();
                attacker.readToEnd(FIVE_SECONDS);
            } finally {
                reader.shutdownNow();
            }
        }
        assertThat(closedBecause(subject)).isEqualTo(Rejection.RATE_LIMITED);
    }

    @Test
    void pingsWhenWithinTheFloodLimitThenAllAnsweredAndSessionStaysOpen() throws Exception {
        try (RawWebSocket client = open(nextSubject(), 65536)) {
            for (int i = 0; i < 20; i++) {
                client.sendFrame(true, PING, PING_PAYLOAD);
                assertThat(client.readFrame(FIVE_SECONDS).opcode()).isEqualTo(0xA);
            }
            assertThat(roundTripMillis(client)).isLessThan(1_000);
        }
    }

    @Test
    void fragmentsWhenMillionEmptyContinuationsThenTyrusAssemblesThemButGuardCloses1008() throws Exception {
        try (RawWebSocket attacker = RawWebSocket.open(tyrus.getPort(), "/open")) {
            attacker.sendFrame(false, TEXT, new byte[0]);
            sendEmptyContinuations(attacker, 100_000);
            attacker.sendFrame(true, CONTINUATION, ECHO.getBytes(StandardCharsets.UTF_8));
            assertThat(attacker.readFrame(Duration.ofSeconds(30)).text())
                    .as("Tyrus answers a message made of 100,002 frames").contains("pong");
        }

        String subject = nextSubject();
        try (RawWebSocket attacker = open(subject, 65536)) {
            ExecutorService reader = Executors.newSingleThreadExecutor();
            try {
                Future<RawWebSocket.Frame> close = reader.submit(() -> attacker.readFrame(Duration.ofSeconds(10)));
                long started = System.nanoTime();
                attacker.sendFrame(false, TEXT, new byte[0]);
                sendEmptyContinuations(attacker, 1_000_000);
                RawWebSocket.Frame frame = close.get(10, TimeUnit.SECONDS);
                assertThat(frame.closeCode()).isEqualTo(1008);
                assertThat(frame.closeReason()).isEqualTo("too many frames");
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(FIVE_SECONDS);
            } finally {
                reader.shutdownNow();
            }
        }
        assertThat(closedBecause(subject)).isEqualTo(Rejection.MESSAGE_TOO_FRAGMENTED);
    }

    @Test
    void fragmentsWhenOneFramePerKibOfTheCapThenDelivered() throws Exception {
        int frames = FrameSizeTracker.maxFramesPerMessage(TestGuard.config.messageMaxBytes());
        try (RawWebSocket client = open(nextSubject(), 65536)) {
            client.sendFrame(false, TEXT, ECHO.substring(0, 1).getBytes(StandardCharsets.UTF_8));
            sendEmptyContinuations(client, frames - 2);
            client.sendFrame(true, CONTINUATION, ECHO.substring(1).getBytes(StandardCharsets.UTF_8));
            assertThat(client.readFrame(FIVE_SECONDS).text()).contains("pong");
        }
    }

    @Test
    void frameWhenUnmaskedThenTyrusAnswersItButGuardCloses1002() throws Exception {
        try (RawWebSocket client = RawWebSocket.open(tyrus.getPort(), "/open")) {
            client.send(RawHttp.serverTextFrame(ECHO)); // unmasked, as only a server may send
            assertThat(client.readFrame(FIVE_SECONDS).text()).as("Tyrus answers an unmasked frame").contains("pong");
        }
        try (RawWebSocket client = open(nextSubject(), 65536)) {
            client.send(RawHttp.serverTextFrame(ECHO)); // unmasked, as only a server may send
            RawWebSocket.Frame frame = client.readFrame(FIVE_SECONDS);
            assertThat(frame.closeCode()).isEqualTo(1002);
        }
    }

    @Test
    void closeWhenClientNeverAnswersThenConnectionGoneWithinTheGrace() throws Exception {
        try (RawWebSocket client = open(nextSubject(), 65536)) {
            client.send(RawHandshake.maskedText("{\"type\":"));
            long closedAt = System.nanoTime();
            assertThat(client.readFrame(FIVE_SECONDS).closeCode()).isEqualTo(1007);
            client.readToEnd(FIVE_SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - closedAt))
                    .isLessThan(Duration.ofMillis(TransportLink.CLOSE_GRACE_MILLIS + 1_500));
        }
    }

    @Test
    void closeWhenClientReadsNothingThenConnectionDroppedWithinTheGraceAndSlotHeldUntilThen() throws Exception {
        String subject = nextSubject();
        String token = TestTokens.token().subject(subject).sign();
        try (RawWebSocket lingerer = open(token, 4096)) {
            // Pongs pile up behind a receive window the client never opens (500 pings, within the flood limit); then
            // the guard closes the session for a malformed message, but its close frame waits behind the pongs, and
            // so would the connection.
            sendPings(lingerer, 500);
            lingerer.send(RawHandshake.maskedText("{\"type\":"));
            assertThat(closedBecause(subject)).isEqualTo(Rejection.MESSAGE_MALFORMED);
            long closedAt = System.nanoTime();
            assertThat(handshakeStatus(token)).as("the user's one slot while the connection lingers").isEqualTo(429);

            int status;
            do {
                Thread.sleep(50);
                status = handshakeStatus(token);
            } while (status != 101 && System.nanoTime() - closedAt < FIVE_SECONDS.toNanos());
            assertThat(status).as("the slot once the connection is gone").isEqualTo(101);
            assertThat(Duration.ofNanos(System.nanoTime() - closedAt))
                    .isLessThan(Duration.ofMillis(TransportLink.CLOSE_GRACE_MILLIS + 1_500));
            lingerer.readToEnd(FIVE_SECONDS);
        }
    }

    @Test
    void uploadWhenClientWritesItsWhole50MbBeforeReadingThenItStillReads1009() throws Exception {
        // A client busy writing (one thread, or an event loop) reads only once its write is done. Closing at once
        // would reset the connection under its upload, and the reset would destroy the close frame unread.
        for (int i = 0; i < 3; i++) {
            try (RawWebSocket client = open(nextSubject(), 65536)) {
                client.send(RawWebSocket.header(true, TEXT, 50L << 20));
                assertThat(client.streamPayload(50L << 20, 1 << 20)).as("bytes written").isEqualTo(50L << 20);
                assertThat(client.readFrame(FIVE_SECONDS).closeCode()).isEqualTo(1009);
                client.answerClose();
                client.readToEnd(FIVE_SECONDS);
            }
        }
    }

    @Test
    void uploadWhen50MbAfterRefusalThenJdkClientSees1009EveryTime() throws Exception {
        String huge = "a".repeat(50 << 20);
        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            CompletableFuture<Integer> closed = new CompletableFuture<>();
            WebSocket client = HttpClient.newHttpClient().newWebSocketBuilder()
                    .header("Origin", ORIGIN)
                    .header("Authorization", "Bearer " + TestTokens.token().subject(nextSubject()).sign())
                    .buildAsync(server.uri("/guarded"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                            closed.complete(statusCode);
                            return null;
                        }

                        @Override
                        public void onError(WebSocket webSocket, Throwable error) {
                            closed.complete(1006);
                        }
                    })
                    .get(5, TimeUnit.SECONDS);
            client.sendText(huge, true);
            codes.add(closed.get(30, TimeUnit.SECONDS));
        }
        assertThat(codes).containsOnly(1009);
    }

    // ------------------------------------------------------------------ helpers

    private static synchronized String nextSubject() {
        return "abuser-" + (++subjects);
    }

    private static RawWebSocket open(String subjectOrToken, int receiveBufferBytes) throws IOException {
        String token = subjectOrToken.startsWith("abuser-")
                ? TestTokens.token().subject(subjectOrToken).sign() : subjectOrToken;
        return RawWebSocket.over(RawHandshake.to(server.uri("/guarded")).origin(ORIGIN).bearer(token)
                .open(receiveBufferBytes));
    }

    private static int handshakeStatus(String token) throws IOException {
        return RawHandshake.to(server.uri("/guarded")).origin(ORIGIN).bearer(token).send().status();
    }

    private static Socket smallReceiveBuffer() throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        return socket;
    }

    /** Writes up to {@code count} pings, 1,000 per write; returns how many were written before a write failed. */
    private static int sendPings(RawWebSocket client, int count) {
        return sendRepeated(client, RawWebSocket.frame(true, PING, PING_PAYLOAD), count);
    }

    private static void sendEmptyContinuations(RawWebSocket client, int count) {
        sendRepeated(client, RawWebSocket.frame(false, CONTINUATION, new byte[0]), count);
    }

    /** Writes {@code frame} {@code count} times, 1,000 per write; returns how many before a write failed. */
    private static int sendRepeated(RawWebSocket client, byte[] frame, int count) {
        byte[] batch = new byte[frame.length * 1_000];
        for (int i = 0; i < 1_000; i++) {
            System.arraycopy(frame, 0, batch, i * frame.length, frame.length);
        }
        int sent = 0;
        try {
            while (sent < count) {
                int now = Math.min(1_000, count - sent);
                client.send(now == 1_000 ? batch : Arrays.copyOf(batch, frame.length * now));
                sent += now;
            }
        } catch (IOException dropped) {
            // The server dropped the connection: the caller sees how far it got.
        }
        return sent;
    }

    /** Reads frames until {@code expected} pongs or anything else has come; returns the pongs. */
    private static int countPongs(RawWebSocket client, int expected) throws IOException {
        int pongs = 0;
        while (pongs < expected && client.readFrame(Duration.ofSeconds(10)).opcode() == 0xA) {
            pongs++;
        }
        return pongs;
    }

    private static RawWebSocket.Frame firstNonPong(RawWebSocket client) throws IOException {
        RawWebSocket.Frame frame;
        do {
            frame = client.readFrame(Duration.ofSeconds(10));
        } while (frame.opcode() == 0xA);
        return frame;
    }

    private static long roundTripMillis(RawWebSocket client) throws IOException {
        long started = System.nanoTime();
        client.send(RawHandshake.maskedText(ECHO));
        RawWebSocket.Frame reply = client.readFrame(FIVE_SECONDS);
        assertThat(reply.text()).contains("pong");
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    /** The reason of the guard's close of {@code subject}'s session, waiting a little for its event. */
    private static Rejection closedBecause(String subject) throws InterruptedException {
        long deadline = System.nanoTime() + FIVE_SECONDS.toNanos();
        while (System.nanoTime() < deadline) {
            for (SecurityEvent event : EVENTS) {
                if (event.kind() == SecurityEvent.Kind.SESSION_CLOSED && subject.equals(event.subject())) {
                    return event.reason();
                }
            }
            Thread.sleep(20);
        }
        return null;
    }
}
