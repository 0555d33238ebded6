package dev.wsguard;

import dev.wsguard.testing.RawHandshake;
import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.WsClient;
import dev.wsguard.testing.chat.FeedChat;
import dev.wsguard.testing.chat.OpenFeed;
import dev.wsguard.testing.chat.TestGuard;
import dev.wsguard.tyrus.GuardedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Outbound backpressure on a real server: 1,000 clients that complete the handshake, subscribe and never read
 * again, a broadcast that overfills their TCP buffers, and three clients that read. The unguarded broadcast
 * ({@code getAsyncRemote().sendText} to every session) keeps everything a non-reader cannot take in the server's
 * heap; the guarded one sheds each non-reader at its bound (close 1013, connection dropped, queue freed) while the
 * readers receive every message in order.
 */
class BackpressureIT {

    static final String ORIGIN = "https://chat.test";
    static final String CHANNEL = "tenant:acme:news";
    static final int NON_READERS = 1000;
    static final int READERS = 3;
    static final int MESSAGES = 300;
    static final int MESSAGE_BYTES = 2048;
    static final long MAX_QUEUED_BYTES = 128 * 1024;
    /** Client receive buffer: small, so that the kernel absorbs little and the server has to queue. */
    static final int CLIENT_RECEIVE_BUFFER = 4096;
    static final int SERVER_SEND_BUFFER = 16 * 1024;

    static final ConcurrentLinkedQueue<SecurityEvent> EVENTS = new ConcurrentLinkedQueue<>();
    static GuardedServer server;
    static ExecutorService openers;

    @BeforeAll
    static void start() throws Exception {
        TestGuard.config = GuardConfig.builder().allowedOrigins(ORIGIN)
                .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048())).issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE)
                .handshakeRateLimit(100_000, Duration.ofSeconds(1))
                .connectionQuotas(5_000, 5_000, 10_000, 20_000)
                .outboundMaxBytes(MAX_QUEUED_BYTES)
                .listener(EVENTS::add)
                .build();
        // A fixed kernel send buffer, as on a real link: with loopback autotuning each non-reader would take ~1.4 MB
        // of kernel memory before the server's own queue saw anything.
        server = GuardedServer.builder().endpoint(FeedChat.class).endpoint(OpenFeed.class)
                .socketSendBuffer(SERVER_SEND_BUFFER).build();
        server.start();
        openers = Executors.newFixedThreadPool(16);
    }

    @AfterAll
    static void stop() {
        openers.shutdownNow();
        if (server != null) {
            server.close();
        }
    }

    static String token() {
        return TestTokens.token().subject("reader").tenant("acme").scope("chat:read chat:write").sign();
    }

    static String message(int seq) {
        String head = "{\"type\":\"message\",\"seq\":" + seq + ",\"pad\":\"";
        return head + "x".repeat(MESSAGE_BYTES - head.length() - 2) + "\"}";
    }

    @Test
    void broadcastWhenUnguardedAndClientsNeverReadThenServerHeapHoldsEverythingQueued() throws Exception {
        int clients = 200;
        List<Socket> sockets = openAll(clients, RawHandshake.to(server.uri("/open-feed")), null);
        try {
            awaitTrue(() -> OpenFeed.SESSIONS.size() == clients, Duration.ofSeconds(20));
            long before = usedHeapAfterGc();
            for (int seq = 0; seq < MESSAGES; seq++) {
                OpenFeed.broadcast(message(seq));
            }
            long grown = usedHeapAfterGc() - before;
            long sent = (long) clients * MESSAGES * MESSAGE_BYTES;
            System.out.printf("unguarded: %d non-readers, %d MB broadcast, heap after GC grew %d MB%n", clients,
                    sent >> 20, grown >> 20);
            // The kernel takes ~20 KB per socket (16 KiB send buffer, 4 KiB receive buffer); everything else that
            // was sent is still in the heap, queued for clients that will never read it (measured: 2x the
            // payload, a frame copy and the text per message), and it stays there as long as they stay connected.
            assertThat(grown).isGreaterThan(sent / 2);
        } finally {
            closeAll(sockets);
        }
    }

    @Test
    void broadcastWhenThousandClientsNeverReadThenShed1013AndReadersGetEverythingInOrder() throws Exception {
        String token = token();
        String subscribe = "{\"type\":\"subscribe\",\"channel\":\"" + CHANNEL + "\"}";
        List<WsClient> readers = new ArrayList<>();
        for (int i = 0; i < READERS; i++) {
            WsClient reader = WsClient.connect(server.uri("/feed"), ORIGIN, token);
            assertThat(reader.send(subscribe).next()).contains("subscribed");
            readers.add(reader);
        }
        List<Socket> nonReaders = openAll(NON_READERS,
                RawHandshake.to(server.uri("/feed")).origin(ORIGIN).bearer(token), subscribe);
        try {
            awaitTrue(() -> FeedChat.CHANNELS.subscriberCount(CHANNEL) == NON_READERS + READERS,
                    Duration.ofSeconds(30));
            long before = usedHeapAfterGc();
            long started = System.nanoTime();

            for (int seq = 0; seq < MESSAGES; seq++) {
                FeedChat.CHANNELS.broadcast(CHANNEL, message(seq));
                if (seq % 16 == 15 || seq == MESSAGES - 1) {
                    // Well-behaved readers keep up: take what was broadcast so far, in order.
                    for (WsClient reader : readers) {
                        for (int expected = seq - (seq % 16); expected <= seq; expected++) {
                            assertThat(reader.next()).startsWith("{\"type\":\"message\",\"seq\":" + expected + ",");
                        }
                    }
                }
            }
            awaitTrue(() -> overflowCloses() == NON_READERS, Duration.ofSeconds(30));
            long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
            long grown = usedHeapAfterGc() - before;
            System.out.printf("guarded: %d non-readers shed, %d readers served %d x %d B in %d ms; heap after GC"
                    + " grew %d KB%n", overflowCloses(), READERS, MESSAGES, MESSAGE_BYTES, elapsedMillis,
                    grown >> 10);

            for (WsClient reader : readers) {
                assertThat(reader.isOpen()).isTrue();
                assertThat(reader.send("{\"type\":\"ping\"}").next()).isEqualTo("{\"type\":\"pong\"}");
            }
            // Every non-reader's connection was dropped by the server: reading now ends (EOF or reset).
            for (Socket socket : nonReaders) {
                assertThat(endsWithin(socket, Duration.ofSeconds(5))).isTrue();
            }
            // Bound: while a non-reader is connected the server holds at most MAX_QUEUED_BYTES of text for it
            // (about twice that in heap: text and frame), so the peak is ~1,000 x 256 KiB; once it is shed and its
            // connection dropped, nothing it was owed stays. After GC only the readers' queues (at most
            // MAX_QUEUED_BYTES each) and allocator noise may remain: 16 MB covers both, against the 1,000 x 600 KB
            // = 600 MB an unguarded broadcast would keep for the same clients.
            assertThat(grown).isLessThan(READERS * 2 * MAX_QUEUED_BYTES + (16L << 20));
        } finally {
            closeAll(nonReaders);
            readers.forEach(WsClient::close);
        }
    }

    static long overflowCloses() {
        return EVENTS.stream().filter(e -> e.kind() == SecurityEvent.Kind.SESSION_CLOSED
                && e.reason() == Rejection.OUTBOUND_OVERFLOW).count();
    }

    static List<Socket> openAll(int count, RawHandshake handshake, String firstMessage) throws Exception {
        List<Future<Socket>> opening = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            opening.add(openers.submit(() -> {
                Socket socket = handshake.open(CLIENT_RECEIVE_BUFFER);
                if (firstMessage != null) {
                    socket.getOutputStream().write(RawHandshake.maskedText(firstMessage));
                    socket.getOutputStream().flush();
                }
                return socket;
            }));
        }
        List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
        for (Future<Socket> f : opening) {
            sockets.add(f.get());
        }
        return sockets;
    }

    static void closeAll(List<Socket> sockets) {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** Reads until the connection ends; false if it is still open after {@code limit} without data. */
    static boolean endsWithin(Socket socket, Duration limit) throws IOException {
        socket.setSoTimeout((int) limit.toMillis());
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[64 * 1024];
        try {
            while (in.read(buffer) >= 0) {
                // drain what the kernel still held
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    static long usedHeapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    static void awaitTrue(BooleanSupplier condition, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + limit);
            }
            Thread.sleep(10);
        }
    }
}
