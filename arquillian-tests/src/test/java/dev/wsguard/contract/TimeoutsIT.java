package dev.wsguard.contract;

import dev.wsguard.contract.controls.OpenControl;
import dev.wsguard.probe.ProbeSuite;
import dev.wsguard.probe.Result;
import dev.wsguard.probe.Verdict;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slow and silent clients against the servers as {@code server-config/} sets them up: the suite's WildFly servers
 * carry {@code server-config/wildfly/undertow.cli} and its Payara Micro servers start with
 * {@code server-config/payara/timeouts-micro.asadmin}, both unchanged. The example's WAR runs with
 * {@code wsguard.session.ping-interval} at 2 s, the unguarded endpoint beside it without any keep-alive. The
 * baselines: Undertow's defaults on a second WildFly listener (port 8390, added for the tests only), and the unguarded
 * endpoint.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TimeoutsIT {

    /** The keep-alive of the WAR: a session that answers nothing for two intervals is closed. */
    private static final Duration PING_INTERVAL = Duration.ofSeconds(2);
    /** What server-config sets on both servers for a connection that sends nothing (the defaults: 60 s, 30 s). */
    private static final Duration NO_REQUEST_TIMEOUT = Duration.ofSeconds(15);
    /** What server-config/wildfly/undertow.cli gives a request head to arrive whole. */
    private static final Duration REQUEST_PARSE_TIMEOUT = Duration.ofSeconds(10);
    /**
     * The handshake timeout the kit is told where none is expected: it reports a finding when the trickle is still
     * open five seconds after it, 20 s in all, past every timeout the servers have.
     */
    private static final Duration UNBOUNDED_FOR = Duration.ofSeconds(15);
    /** The WildFly listener with Undertow's defaults (8090 plus the suite's port offset of 300). */
    private static final int BARE_PORT = 8390;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive war() {
        return ExampleWarIT.example(Tokens.properties() + "wsguard.session.ping-interval=PT" + PING_INTERVAL.toSeconds()
                + "S\n").addClass(OpenControl.class);
    }

    private static boolean wildfly() {
        return "wildfly".equals(System.getProperty("arquillian.launch"));
    }

    private URI at(String path) {
        // Payara reports its interface address; the servers listen on loopback too.
        return URI.create("ws://127.0.0.1:" + base.getPort() + base.getPath() + path);
    }

    @Test
    void connectionWhenItSendsNothingThenClosedAtServerConfigsTimeout() throws Exception {
        try (Socket socket = connect(base.getPort())) {
            long start = System.nanoTime();
            Duration closedAfter = awaitEnd(socket, NO_REQUEST_TIMEOUT.plusSeconds(10));
            // Not the server's default (60 s on WildFly, 30 s on Payara): server-config's 15 s.
            assertThat(closedAfter).as("closed after").isNotNull()
                    .isBetween(NO_REQUEST_TIMEOUT.minusSeconds(2), NO_REQUEST_TIMEOUT.plusSeconds(3));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(NO_REQUEST_TIMEOUT.plusSeconds(5));
        }
    }

    /**
     * Slowloris: an upgrade request whose head never ends, one header line a second. On WildFly the kit's
     * {@code slow.handshake} is closed at {@code request-parse-timeout}, while the same trickle holds a connection on
     * the listener without it. Payara has no setting that bounds a request head's arrival: each line restarts its
     * idle timeout, so the connection stays (docs/runtimes.md sends Payara's operators to a proxy).
     */
    @Test
    void handshakeWhenTheRequestHeadTricklesThenClosedAtTheParseTimeoutOnWildFlyOnly() throws Exception {
        if (wildfly()) {
            URI bareChat = URI.create("ws://127.0.0.1:" + BARE_PORT + base.getPath() + "chat");
            CompletableFuture<Result> bare = CompletableFuture.supplyAsync(() -> kit("slow.handshake", bareChat,
                    UNBOUNDED_FOR));
            Result guarded = kit("slow.handshake", at("chat"), REQUEST_PARSE_TIMEOUT);
            assertThat(guarded.verdict()).as(guarded.observed()).isEqualTo(Verdict.PASS);
            assertThat(guarded.took()).isLessThan(REQUEST_PARSE_TIMEOUT.plusSeconds(4));
            assertThat(bare.get().verdict()).as("the bare listener: " + bare.get().observed())
                    .isEqualTo(Verdict.FINDING);
        } else {
            Result trickle = kit("slow.handshake", at("chat"), UNBOUNDED_FOR);
            assertThat(trickle.verdict())
                    .as("Payara closed a trickling request head (" + trickle.observed()
                            + "): update docs/runtimes.md's slowloris row").isEqualTo(Verdict.FINDING);
        }
    }

    /**
     * Slowloris after the upgrade: one message's frame written a byte a second. Neither server's own timeouts see it
     * (Undertow restarts its read timeout and a session's idle timeout on every byte); wsguard's keep-alive does,
     * since no pong and no message can arrive while the frame is unfinished: the kit's {@code slow.message} is
     * closed within two ping intervals on the guarded endpoint, and still open on the unguarded one.
     */
    @Test
    void socketWhenAMessageTricklesThenTheKeepAliveClosesItWhileTheUnguardedEndpointKeepsIt() throws Exception {
        CompletableFuture<Result> open = CompletableFuture.supplyAsync(() -> kit("slow.message", at("open")));
        Result guarded = kit("slow.message", at("chat"));
        assertThat(guarded.verdict()).as(guarded.observed()).isEqualTo(Verdict.PASS);
        assertThat(guarded.took()).isLessThan(PING_INTERVAL.multipliedBy(2).plusSeconds(4));
        assertThat(open.get().verdict()).as(open.get().observed()).isEqualTo(Verdict.FINDING);
    }

    /**
     * The keep-alive itself: a session that answers no ping is closed {@code 1001} after two intervals; a client that
     * answers them (the JDK's) stays through a quiet period three times as long and is still served.
     */
    @Test
    void socketWhenSilentThenClosed1001WhileAClientAnsweringPingsStays() throws Exception {
        String token = ExampleWarIT.chatToken("quiet-" + System.nanoTime(), "acme");
        try (Client answering = Client.open(at("chat"), ExampleWarIT.chatToken("ponging-" + System.nanoTime(),
                "acme")); RawSocket silent = RawSocket.open(at("chat"), token)) {
            long start = System.nanoTime();
            assertThat(silent.awaitCloseCode()).isEqualTo(1001);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isBetween(PING_INTERVAL, PING_INTERVAL.multipliedBy(2).plusSeconds(4));

            Thread.sleep(PING_INTERVAL.multipliedBy(3).toMillis());
            answering.send("{\"type\":\"ping\"}");
            String answer;
            do {
                answer = answering.next();
            } while (answer.contains("\"type\":\"welcome\""));
            assertThat(answer).isEqualTo("{\"type\":\"pong\"}");
        }
    }

    /** The attack kit's {@code attack} alone against {@code uri}, with this WAR's timeouts. */
    private static Result kit(String attack, URI uri) {
        return kit(attack, uri, REQUEST_PARSE_TIMEOUT);
    }

    /** The same, the kit told that the server closes an unfinished request head after {@code handshakeTimeout}. */
    private static Result kit(String attack, URI uri, Duration handshakeTimeout) {
        return ProbeSuite.against(uri).origin(Tokens.ORIGIN)
                .token(() -> ExampleWarIT.chatToken("slow-" + System.nanoTime(), "acme"))
                .sample("{\"type\":\"ping\"}")
                .handshakeTimeout(handshakeTimeout).idleTimeout(PING_INTERVAL.multipliedBy(2))
                .only(attack).build().run().results().stream()
                .filter(result -> result.attack().id().equals(attack)).findFirst()
                .orElseThrow(() -> new AssertionError(attack + " did not run"));
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(1_000);
        return socket;
    }

    /**
     * Waits for the server to close {@code socket}; the time until it did, or null if it was still open after
     * {@code within}.
     */
    private static Duration awaitEnd(Socket socket, Duration within) throws IOException {
        long start = System.nanoTime();
        InputStream in = socket.getInputStream();
        while (Duration.ofNanos(System.nanoTime() - start).compareTo(within) < 0) {
            try {
                if (in.read() == -1) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
                // An answer (a 408 page, say) before the close: read on until the end.
            } catch (SocketTimeoutException quiet) {
                // Nothing for a second: wait on.
            } catch (IOException reset) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
        }
        return null;
    }
}
