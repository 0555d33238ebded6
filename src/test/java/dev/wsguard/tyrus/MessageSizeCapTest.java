package dev.wsguard.tyrus;

import static dev.wsguard.tyrus.RawWebSocket.BINARY;
import static dev.wsguard.tyrus.RawWebSocket.CONTINUATION;
import static dev.wsguard.tyrus.RawWebSocket.PING;
import static dev.wsguard.tyrus.RawWebSocket.TEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import org.glassfish.tyrus.server.Server;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The message size cap against real sockets: oversized single frames and fragment floods cut off while they are
 * read, the heap left as it was, sessions released; Tyrus's own {@link Server} for contrast.
 *
 * <p>Heap figures are taken in this JVM (the server and the attacking client share it): used heap after repeated
 * full collections, and bytes allocated by all threads while an attack runs. Bounds are generous, but each is far
 * below what the attack would cost if the payload were buffered.
 */
class MessageSizeCapTest {

    private static final int MB = 1 << 20;
    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);
    private static final int CLOSED_ABNORMALLY = 1006;

    @BeforeEach
    void resetProbes() {
        SizeProbe.reset();
        TyrusCapped.INSTANCES.clear();
        TyrusCapped.SESSIONS.clear();
    }

    @Test
    void messageWhenOneFrameAnnounces1GbThenClose1009AndRestDiscardedUpToTheDrainBound() throws Exception {
        try (GuardedServer server = GuardedServer.builder().endpoint(SizeProbe.class).build()) {
            server.start();
            warmUp(server);
            long heapBefore = usedHeapAfterGc();
            long allocatedBefore = allocatedBytes();

            Attack attack;
            try (RawWebSocket attacker = RawWebSocket.open(smallSendBuffer(), server.port(), "/size")) {
                attacker.send(RawWebSocket.header(true, TEXT, 1L << 30));
                attack = attack(attacker, () -> attacker.streamPayload(1L << 30, 64 * 1024));
            }

            List<Integer> closeCodes = SizeProbe.awaitCloseCodes(1);
            long allocated = allocatedBytes() - allocatedBefore;
            long heapGrowth = usedHeapAfterGc() - heapBefore;
            report("one 1 GB frame", attack, allocated, heapGrowth);
            assertThat(attack.close().closeCode()).isEqualTo(1009);
            assertThat(attack.close().closeReason()).isEqualTo("message too big");
            // After the refusal the server reads and discards, so that a client still writing reads the close frame
            // before the connection ends; never more than the drain bound (kernel buffers take a little more).
            assertThat(attack.accepted()).as("bytes the client could write")
                    .isLessThan(FrameGuardFilter.MAX_DRAINED_BYTES + 16L * MB);
            // Grizzly reads the drained bytes into fresh buffers: garbage at once, never held (heap after GC).
            assertThat(allocated).as("bytes allocated in this JVM during the attack")
                    .isLessThan(FrameGuardFilter.MAX_DRAINED_BYTES + 16L * MB);
            assertThat(heapGrowth).as("heap after GC").isLessThan(8L * MB);
            assertThat(closeCodes).as("@OnClose calls").containsExactly(CLOSED_ABNORMALLY);
        }
    }

    @Test
    void messageWhen50MbIn1MbFragmentsThenClose1009AtTheFirstFragmentOverTheCap() throws Exception {
        int cap = 4 * MB;
        try (GuardedServer server = GuardedServer.builder().maxMessageBytes(cap).endpoint(SizeProbe.class).build()) {
            server.start();
            warmUp(server);
            long heapBefore = usedHeapAfterGc();
            long allocatedBefore = allocatedBytes();

            Attack attack;
            try (RawWebSocket attacker = RawWebSocket.open(smallSendBuffer(), server.port(), "/size")) {
                attack = attack(attacker, () -> {
                    long sent = 0;
                    for (int i = 0; i < 50; i++) {
                        try {
                            attacker.send(RawWebSocket.header(i == 49, i == 0 ? TEXT : CONTINUATION, MB));
                        } catch (IOException e) {
                            return sent;
                        }
                        long accepted = attacker.streamPayload(MB, 64 * 1024);
                        sent += accepted;
                        if (accepted < MB) {
                            return sent;
                        }
                    }
                    return sent;
                });
            }

            List<Integer> closeCodes = SizeProbe.awaitCloseCodes(1);
            long allocated = allocatedBytes() - allocatedBefore;
            long heapGrowth = usedHeapAfterGc() - heapBefore;
            report("50 x 1 MB fragments, cap 4 MB", attack, allocated, heapGrowth);
            assertThat(attack.close().closeCode()).isEqualTo(1009);
            // Four fragments fit the cap; the fifth header is refused. The rest is read and discarded: the client
            // writes all of it, then reads the close frame.
            assertThat(attack.accepted()).isGreaterThanOrEqualTo(4L * MB);
            // Tyrus copies a frame's buffer on every read that extends it: about 9 MB allocated per 1 MB frame. All 50
            // fragments would cost some 450 MB; the four within the cap cost about 36 MB, and reading the 46 MB after
            // the refusal into buffers that are garbage at once about as much again.
            assertThat(allocated).as("bytes allocated in this JVM during the attack")
                    .isLessThan(64L * MB + FrameGuardFilter.MAX_DRAINED_BYTES);
            assertThat(heapGrowth).as("heap after GC").isLessThan(8L * MB);
            assertThat(closeCodes).as("@OnClose calls").containsExactly(CLOSED_ABNORMALLY);
        }
    }

    /** Contrast: this documents Tyrus's behaviour and fails once Tyrus checks sizes while reading. */
    @Test
    void messageWhenTyrusOwnServerWithMaxMessageSizeThenWholeMessageBufferedBefore1009() throws Exception {
        Server tyrus = new Server("127.0.0.1", -1, "/", Map.of(), TyrusCapped.class);
        tyrus.start();
        try (RawWebSocket attacker = RawWebSocket.open(tyrus.getPort(), "/tyrus-capped")) {
            attacker.sendFrame(true, TEXT, "warm".getBytes());
            attacker.readFrame(FIVE_SECONDS);
            long heapBefore = usedHeapAfterGc();
            long allocatedBefore = allocatedBytes();

            for (int i = 0; i < 16; i++) {
                attacker.sendFrame(false, i == 0 ? TEXT : CONTINUATION, RawWebSocket.payload(MB));
            }
            attacker.sendFrame(true, PING, new byte[0]);
            assertThat(attacker.readFrame(FIVE_SECONDS).opcode()).as("still reading: a pong").isEqualTo(0xA);
            long allocated = allocatedBytes() - allocatedBefore;
            long heapGrowth = usedHeapAfterGc() - heapBefore;

            report("Tyrus Server, 16 x 1 MB fragments, maxMessageSize 65536", null, allocated, heapGrowth);
            assertThat(heapGrowth).as("16 MB held for a message capped at 64 KB").isGreaterThan(12L * MB);
            attacker.sendFrame(true, CONTINUATION, RawWebSocket.payload(1));
            assertThat(attacker.readFrame(FIVE_SECONDS).closeCode()).as("only now").isEqualTo(1009);
        } finally {
            tyrus.stop();
        }
    }

    @Test
    void oversizedMessagesWhenRepeated1000TimesThenHeapBackAndEverySessionReleased() throws Exception {
        int cap = 1024;
        try (GuardedServer server = GuardedServer.builder().maxMessageBytes(cap).endpoint(SizeProbe.class).build()) {
            server.start();
            warmUp(server);
            SizeProbe.reset();
            long heapBefore = usedHeapAfterGc();

            List<Integer> codes = new ArrayList<>();
            codes.addAll(oversizedOnNewConnections(server.port(), "/size", 500,
                    RawWebSocket.frame(true, TEXT, RawWebSocket.payload(cap + 1))));
            // Refused at the second header, once Tyrus has started to assemble the message.
            codes.addAll(oversizedOnNewConnections(server.port(), "/size", 500, concat(
                    RawWebSocket.frame(false, TEXT, RawWebSocket.payload(cap)),
                    RawWebSocket.frame(true, CONTINUATION, RawWebSocket.payload(1)))));

            assertThat(codes).hasSize(1000).containsOnly(1009);
            assertThat(SizeProbe.awaitCloseCodes(1000)).hasSize(1000).containsOnly(CLOSED_ABNORMALLY);
            long reachable = awaitCollected(SizeProbe.INSTANCES);
            long heapGrowth = usedHeapAfterGc() - heapBefore;
            report("1000 oversized messages, cap 1 KB", null, -1, heapGrowth);
            assertThat(reachable).as("endpoint instances still reachable").isZero();
            assertThat(SizeProbe.sessions()).as("sessions still reachable").isEmpty();
            assertThat(heapGrowth).as("heap after GC").isLessThan(8L * MB);
        }
    }

    /** Contrast: this documents Tyrus's leak and fails once Tyrus releases sessions it closes with 1009. */
    @Test
    void oversizedMessagesWhenTyrusOwnServerClosesWith1009ThenEverySessionStaysReachable() throws Exception {
        Server tyrus = new Server("127.0.0.1", -1, "/", Map.of(), TyrusCapped.class);
        tyrus.start();
        try {
            // 256 KB in four fragments: Tyrus assembles all of it, then closes with 1009.
            byte[] message = concat(
                    RawWebSocket.frame(false, TEXT, RawWebSocket.payload(64 * 1024)),
                    RawWebSocket.frame(false, CONTINUATION, RawWebSocket.payload(64 * 1024)),
                    RawWebSocket.frame(false, CONTINUATION, RawWebSocket.payload(64 * 1024)),
                    RawWebSocket.frame(true, CONTINUATION, RawWebSocket.payload(64 * 1024)));
            long heapBefore = usedHeapAfterGc();

            List<Integer> codes = oversizedOnNewConnections(tyrus.getPort(), "/tyrus-capped", 100, message);

            assertThat(codes).hasSize(100).containsOnly(1009);
            long heapGrowth = usedHeapAfterGc() - heapBefore;
            long reachable = reachable(TyrusCapped.INSTANCES);
            long sessions = reachable(TyrusCapped.SESSIONS);
            report("Tyrus Server, 100 x 256 KB over maxMessageSize 64 KB", null, -1, heapGrowth);
            assertThat(reachable).as("endpoint instances still reachable").isGreaterThanOrEqualTo(100);
            assertThat(sessions).as("sessions still reachable").isEqualTo(100);
            assertThat(heapGrowth).as("each leaked session keeps its 256 KB message").isGreaterThan(100L * 256 * 1024);
        } finally {
            tyrus.stop();
        }
    }

    @Test
    void messageWhenExactlyAtCapThenDeliveredWholeOrFragmented() throws Exception {
        int cap = GuardedServer.DEFAULT_MAX_MESSAGE_BYTES;
        try (GuardedServer server = GuardedServer.builder().endpoint(SizeProbe.class).build();
                RawWebSocket client = open(server)) {
            assertThat(server.maxMessageBytes()).isEqualTo(cap);

            client.sendFrame(true, TEXT, RawWebSocket.payload(cap));
            assertThat(client.readFrame(FIVE_SECONDS).text()).isEqualTo("text:" + cap);
            client.sendFrame(true, BINARY, RawWebSocket.payload(cap));
            assertThat(client.readFrame(FIVE_SECONDS).text()).isEqualTo("binary:" + cap);

            client.sendFrame(false, TEXT, RawWebSocket.payload(cap / 2));
            client.sendFrame(true, PING, RawWebSocket.payload(125));
            client.sendFrame(false, CONTINUATION, RawWebSocket.payload(cap / 4));
            client.sendFrame(true, CONTINUATION, RawWebSocket.payload(cap / 4));
            assertThat(client.readFrame(FIVE_SECONDS).opcode()).as("pong").isEqualTo(0xA);
            assertThat(client.readFrame(FIVE_SECONDS).text()).isEqualTo("text:" + cap);

            client.sendFrame(false, BINARY, RawWebSocket.payload(cap - 1));
            client.sendFrame(true, CONTINUATION, RawWebSocket.payload(1));
            assertThat(client.readFrame(FIVE_SECONDS).text()).isEqualTo("binary:" + cap);

            Session session = SizeProbe.sessions().get(0);
            assertThat(session.getMaxTextMessageBufferSize()).isEqualTo(cap);
            assertThat(session.getMaxBinaryMessageBufferSize()).isEqualTo(cap);
        }
    }

    @Test
    void messageWhenFragmentTakesItOneByteOverCapThenClose1009() throws Exception {
        int cap = GuardedServer.DEFAULT_MAX_MESSAGE_BYTES;
        try (GuardedServer server = GuardedServer.builder().endpoint(SizeProbe.class).build();
                RawWebSocket client = open(server)) {
            client.sendFrame(false, BINARY, RawWebSocket.payload(cap));
            client.sendFrame(true, CONTINUATION, RawWebSocket.payload(1));

            assertThat(client.readFrame(FIVE_SECONDS).closeCode()).isEqualTo(1009);
            assertThat(client.readToEnd(FIVE_SECONDS)).isEmpty();
            assertThat(SizeProbe.awaitCloseCodes(1)).containsExactly(CLOSED_ABNORMALLY);
            assertThat(SizeProbe.MESSAGES).as("no partial message delivered").isEmpty();
            assertThat(SizeProbe.ERRORS).isEmpty();
        }
    }

    @Test
    void attackerWhenCutOffThenOtherClientKeepsWorkingAndSessionLeavesOpenSessions() throws Exception {
        try (GuardedServer server = GuardedServer.builder().endpoint(SizeProbe.class).build()) {
            server.start();
            BlockingQueue<String> replies = new LinkedBlockingQueue<>();
            WebSocket good = jdkClient(server.uri("/size"), replies);
            good.sendText("before", true).get(5, TimeUnit.SECONDS);
            assertThat(replies.poll(5, TimeUnit.SECONDS)).isEqualTo("text:6");

            try (RawWebSocket attacker = RawWebSocket.open(server.port(), "/size")) {
                Session goodSession = SizeProbe.sessions().get(0);
                await(() -> goodSession.getOpenSessions().size() == 2);
                assertThat(goodSession.getOpenSessions()).hasSize(2);

                attacker.send(RawWebSocket.header(true, BINARY, 10L * MB));
                attacker.streamPayload(MB, 64 * 1024);
                assertThat(attacker.readFrame(FIVE_SECONDS).closeCode()).isEqualTo(1009);
                assertThat(SizeProbe.awaitCloseCodes(1)).containsExactly(CLOSED_ABNORMALLY);
                await(() -> goodSession.getOpenSessions().size() == 1);
                assertThat(goodSession.getOpenSessions()).containsExactly(goodSession);
            }

            good.sendText("after", true).get(5, TimeUnit.SECONDS);
            assertThat(replies.poll(5, TimeUnit.SECONDS)).isEqualTo("text:5");
            good.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void headerWhenSentByteByByteThenStillEnforced() throws Exception {
        try (GuardedServer server = GuardedServer.builder().endpoint(SizeProbe.class).build();
                RawWebSocket client = open(server)) {
            client.socket().setTcpNoDelay(true);
            sendByteByByte(client, RawWebSocket.frame(true, TEXT, RawWebSocket.payload(200)));
            assertThat(client.readFrame(FIVE_SECONDS).text()).isEqualTo("text:200");

            sendByteByByte(client, RawWebSocket.header(true, TEXT, 50L * MB));

            assertThat(client.readFrame(FIVE_SECONDS).closeCode()).isEqualTo(1009);
            assertThat(client.readToEnd(FIVE_SECONDS)).isEmpty();
        }
    }

    @Test
    void framesWhenManyInOneWriteThenAllDelivered() throws Exception {
        int cap = GuardedServer.DEFAULT_MAX_MESSAGE_BYTES;
        try (GuardedServer server = GuardedServer.builder().endpoint(SizeProbe.class).build();
                RawWebSocket client = open(server)) {
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = 0; i < 200; i++) {
                burst.writeBytes(RawWebSocket.frame(true, TEXT, RawWebSocket.payload(i)));
            }
            // Whole frames at the cap back to back: every read then ends inside a frame Tyrus has to keep.
            for (int i = 0; i < 8; i++) {
                burst.writeBytes(RawWebSocket.frame(true, BINARY, RawWebSocket.payload(cap)));
            }
            client.send(burst.toByteArray());

            for (int i = 0; i < 200; i++) {
                assertThat(client.readFrame(FIVE_SECONDS).text()).isEqualTo("text:" + i);
            }
            for (int i = 0; i < 8; i++) {
                assertThat(client.readFrame(FIVE_SECONDS).text()).isEqualTo("binary:" + cap);
            }
        }
    }

    @Test
    void frameWhenSixtyFourBitLengthHasTopBitThenClose1002() throws Exception {
        try (GuardedServer server = GuardedServer.builder().endpoint(SizeProbe.class).build();
                RawWebSocket client = open(server)) {
            client.send(ByteBuffer.allocate(14).put((byte) 0x82).put((byte) 0xFF).putLong(Long.MIN_VALUE + 5)
                    .putInt(0).array());

            RawWebSocket.Frame close = client.readFrame(FIVE_SECONDS);
            assertThat(close.closeCode()).isEqualTo(1002);
            assertThat(close.closeReason()).isEqualTo("protocol error");
            assertThat(client.readToEnd(FIVE_SECONDS)).isEmpty();
            assertThat(SizeProbe.awaitCloseCodes(1)).containsExactly(CLOSED_ABNORMALLY);
        }
    }

    @Test
    void frameWhenControlFrameOver125BytesThenClose1002() throws Exception {
        try (GuardedServer server = GuardedServer.builder().endpoint(SizeProbe.class).build();
                RawWebSocket client = open(server)) {
            client.send(RawWebSocket.header(true, PING, 126));

            assertThat(client.readFrame(FIVE_SECONDS).closeCode()).isEqualTo(1002);
        }
    }

    @Test
    void builderWhenMaxMessageBytesNotPositiveThenIllegalArgument() {
        assertThatThrownBy(() -> GuardedServer.builder().maxMessageBytes(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GuardedServer.builder().maxMessageBytes(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(GuardedServer.builder().build().maxMessageBytes()).isEqualTo(65_536);
        assertThat(GuardedServer.builder().maxMessageBytes(Integer.MAX_VALUE).build().maxMessageBytes())
                .isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void startWhenEndpointDeclaresSmallerMaxMessageSizeThenWarningNamesIt() throws Exception {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
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
        Logger logger = Logger.getLogger(GuardedServer.class.getName());
        logger.addHandler(handler);
        try (GuardedServer server = GuardedServer.builder().maxMessageBytes(MB).endpoint(TyrusCapped.class).build()) {
            server.start();
        } finally {
            logger.removeHandler(handler);
        }

        // Plain text on loopback is logged as a WARNING too: look at the size warnings only.
        assertThat(records).filteredOn(record -> record.getLevel() == java.util.logging.Level.WARNING
                        && record.getMessage().contains("maxMessageSize"))
                .singleElement()
                .satisfies(record -> assertThat(record.getParameters())
                        .containsExactly(TyrusCapped.class.getName(), "text", 65_536L, MB));
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Records what the server side sees; reset before each test. */
    @ServerEndpoint("/size")
    public static class SizeProbe {
        static final List<WeakReference<SizeProbe>> INSTANCES = new CopyOnWriteArrayList<>();
        static final List<WeakReference<Session>> SESSIONS = new CopyOnWriteArrayList<>();
        static final BlockingQueue<Integer> CLOSE_CODES = new LinkedBlockingQueue<>();
        static final List<String> MESSAGES = new CopyOnWriteArrayList<>();
        static final List<Throwable> ERRORS = new CopyOnWriteArrayList<>();

        public SizeProbe() {
            INSTANCES.add(new WeakReference<>(this));
        }

        static void reset() {
            INSTANCES.clear();
            SESSIONS.clear();
            CLOSE_CODES.clear();
            MESSAGES.clear();
            ERRORS.clear();
        }

        /** The sessions not yet collected, in the order they opened. */
        static List<Session> sessions() {
            List<Session> live = new ArrayList<>();
            for (WeakReference<Session> reference : SESSIONS) {
                Session session = reference.get();
                if (session != null) {
                    live.add(session);
                }
            }
            return live;
        }

        static List<Integer> awaitCloseCodes(int expected) throws InterruptedException {
            List<Integer> codes = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (codes.size() < expected && System.nanoTime() < deadline) {
                Integer code = CLOSE_CODES.poll(100, TimeUnit.MILLISECONDS);
                if (code != null) {
                    codes.add(code);
                }
            }
            // Any extra @OnClose would show up here.
            Integer extra = CLOSE_CODES.poll(100, TimeUnit.MILLISECONDS);
            if (extra != null) {
                codes.add(extra);
            }
            return codes;
        }

        @OnOpen
        public void open(Session session) {
            SESSIONS.add(new WeakReference<>(session));
        }

        @OnMessage
        public String text(String message) {
            MESSAGES.add("text");
            return "text:" + message.length();
        }

        @OnMessage
        public String binary(ByteBuffer message) {
            MESSAGES.add("binary");
            return "binary:" + message.remaining();
        }

        @OnClose
        public void close(CloseReason reason) {
            CLOSE_CODES.add(reason.getCloseCode().getCode());
        }

        @OnError
        public void error(Throwable error) {
            ERRORS.add(error);
        }
    }

    /** Tyrus's own size check, for contrast; shaped like {@link SizeProbe}, {@code @OnError} included. */
    @ServerEndpoint("/tyrus-capped")
    public static class TyrusCapped {
        static final List<WeakReference<TyrusCapped>> INSTANCES = new CopyOnWriteArrayList<>();
        static final List<WeakReference<Session>> SESSIONS = new CopyOnWriteArrayList<>();

        public TyrusCapped() {
            INSTANCES.add(new WeakReference<>(this));
        }

        @OnOpen
        public void open(Session session) {
            SESSIONS.add(new WeakReference<>(session));
        }

        @OnMessage(maxMessageSize = 65_536)
        public String text(String message) {
            return "text:" + message.length();
        }

        @OnError
        public void error(Throwable error) {
            // Present, as in most real endpoints: Tyrus calls it after its own 1009 close.
        }
    }

    private record Attack(long accepted, RawWebSocket.Frame close) {
    }

    /**
     * Runs {@code writes} (which returns the payload bytes the socket accepted) while another thread waits for the
     * server's close frame, then expects the connection to end.
     */
    private static Attack attack(RawWebSocket attacker, LongSupplier writes) throws Exception {
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            Future<RawWebSocket.Frame> close = reader.submit(() -> attacker.readFrame(Duration.ofSeconds(30)));
            long accepted = writes.getAsLong();
            RawWebSocket.Frame frame = close.get(30, TimeUnit.SECONDS);
            attacker.answerClose();
            attacker.readToEnd(FIVE_SECONDS);
            return new Attack(accepted, frame);
        } finally {
            reader.shutdownNow();
        }
    }

    /** Each on its own connection: handshake, then {@code message} (whole frames), then the close code received. */
    private static List<Integer> oversizedOnNewConnections(int port, String path, int count, byte[] message)
            throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<Integer>> codes = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                codes.add(CompletableFuture.supplyAsync(() -> {
                    try (RawWebSocket attacker = RawWebSocket.open(port, path)) {
                        attacker.send(message);
                        int code = attacker.readFrame(FIVE_SECONDS).closeCode();
                        attacker.answerClose();
                        attacker.readToEnd(FIVE_SECONDS);
                        return code;
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                }, clients));
            }
            List<Integer> result = new ArrayList<>();
            for (CompletableFuture<Integer> code : codes) {
                result.add(code.get(60, TimeUnit.SECONDS));
            }
            return result;
        } finally {
            clients.shutdownNow();
        }
    }

    private static RawWebSocket open(GuardedServer server) throws Exception {
        server.start();
        return RawWebSocket.open(server.port(), "/size");
    }

    /** Loads every class the attack path touches, so that class loading does not count as heap growth. */
    private static void warmUp(GuardedServer server) throws Exception {
        try (RawWebSocket client = RawWebSocket.open(server.port(), "/size")) {
            client.sendFrame(true, TEXT, "warm".getBytes());
            client.readFrame(FIVE_SECONDS);
        }
        try (RawWebSocket client = RawWebSocket.open(server.port(), "/size")) {
            client.send(RawWebSocket.header(true, TEXT, Integer.MAX_VALUE + 1L));
            client.readFrame(FIVE_SECONDS);
            client.readToEnd(FIVE_SECONDS);
        }
        SizeProbe.awaitCloseCodes(2);
        SizeProbe.reset();
    }

    /** A small send buffer keeps the client's own kernel buffer from hiding how early the server stops reading. */
    private static Socket smallSendBuffer() {
        try {
            Socket socket = new Socket();
            socket.setSendBufferSize(64 * 1024);
            return socket;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private static void sendByteByByte(RawWebSocket client, byte[] bytes) throws Exception {
        for (byte b : bytes) {
            client.send(new byte[] {b});
            Thread.sleep(2);
        }
    }

    private static WebSocket jdkClient(URI uri, BlockingQueue<String> replies) throws Exception {
        return HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(uri, new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            replies.add(text.toString());
                            text.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }
                })
                .get(5, TimeUnit.SECONDS);
    }

    /** Waits for collectable objects to go; returns how many are still reachable after a few collections. */
    private static <T> long awaitCollected(List<WeakReference<T>> references) throws InterruptedException {
        long reachable = Long.MAX_VALUE;
        for (int i = 0; i < 20 && reachable > 0; i++) {
            System.gc();
            Thread.sleep(50);
            reachable = reachable(references);
        }
        return reachable;
    }

    private static <T> long reachable(List<WeakReference<T>> references) {
        return references.stream().filter(reference -> reference.get() != null).count();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Bytes allocated so far by all live threads of this JVM (server and client alike). */
    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getTotalThreadAllocatedBytes();
    }

    private static void report(String scenario, Attack attack, long allocated, long heapGrowth) {
        System.out.printf("[size cap] %s: client wrote %s, allocated %s, heap after GC %s%n", scenario,
                attack == null ? "-" : mb(attack.accepted()), allocated < 0 ? "-" : mb(allocated), mb(heapGrowth));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static String mb(long bytes) {
        return String.format("%+.1f MB", bytes / (double) MB);
    }
}
