package dev.wsguard.contract;

import dev.wsguard.probe.FloodAttack;
import dev.wsguard.probe.MessageAttack;
import dev.wsguard.probe.ProbeSuite;
import dev.wsguard.probe.Report;
import dev.wsguard.probe.UpgradeAttack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract of a guarded endpoint, written once and run unchanged on every runtime (Payara Micro, WildFly,
 * embedded Tyrus): the same statuses before the 101, the same close codes and error frames after it. Each runtime
 * supplies the endpoint's address; the application and its configuration ({@link Tokens#config()}) are the same.
 */
abstract class ContractSuite {

    /** {@code ws://127.0.0.1:PORT/CONTEXT/contract} on the runtime under test. */
    abstract URI endpoint();

    /** The guarded endpoint of one shape: {@code contract} (base class) or {@code standard-contract}. */
    URI endpoint(String shape) {
        return endpoint().resolve(shape);
    }

    /** Every contract case runs on both shapes of guarded endpoint, with the same expected answers. */
    static Stream<String> shapes() {
        return Stream.of("contract", "standard-contract");
    }

    /** The unguarded endpoint next to it. */
    URI open() {
        return endpoint().resolve("open");
    }

    static final String FORBIDDEN = "{\"type\":\"error\",\"code\":\"forbidden\"}";
    static final String INVALID = "{\"type\":\"error\",\"code\":\"invalid\"}";
    static final String RATE_LIMITED = "{\"type\":\"error\",\"code\":\"rate_limited\"}";

    static String user(String role) {
        return role + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    // ------------------------------------------------------------------ before the 101

    @Test
    void handshakeWhenEndpointUnguardedThenForeignOriginWithoutTokenUpgrades() throws Exception {
        // The attack the guarded endpoint must stop: the runtime alone lets it through.
        RawUpgrade.Answer answer = RawUpgrade.send(open(), Tokens.FOREIGN_ORIGIN, null);
        assertThat(answer.status()).isEqualTo(101);
    }

    /** The kit's flood of that id: how many it sends against a limit. */
    static FloodAttack flood(String id) {
        return ProbeSuite.floodAttacks().stream().filter(f -> f.attack().id().equals(id)).findFirst().orElseThrow();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void handshakeWhenUserOverQuotaThen429WithRetryAfter(String shape) throws Exception {
        // The kit's flood.connections: as many connections as it opens against this quota, one user's.
        String subject = user("quota");
        try (Client first = Client.open(endpoint(shape), Tokens.valid(subject));
             Client second = Client.open(endpoint(shape), Tokens.valid(subject))) {
            // Both are really open: each answers.
            first.send("{\"type\":\"echo\",\"text\":\"1\"}");
            second.send("{\"type\":\"echo\",\"text\":\"2\"}");
            assertThat(first.next()).contains("\"from\":\"" + subject + "\"");
            assertThat(second.next()).contains("\"from\":\"" + subject + "\"");

            for (int n = Tokens.MAX_PER_USER + 1; n <= flood("flood.connections").sentAgainst(Tokens.MAX_PER_USER);
                    n++) {
                RawUpgrade.Answer over = RawUpgrade.send(endpoint(shape), Tokens.ORIGIN, Tokens.valid(subject));
                assertThat(over.status()).as("connection " + n).isEqualTo(429);
                assertThat(over.header("Retry-After")).hasValue("10");
                assertThat(over.header("Sec-WebSocket-Accept")).isEmpty();
            }
        }
    }

    /**
     * The handshake attacks: the attack kit's own catalogue ({@code probe/}), the requests it sends any endpoint, each
     * with the exact status (and challenge) wsguard answers. One list: an attack added to the kit is asserted here on
     * every runtime, and the kit sends what this suite proves.
     */
    static Stream<Arguments> shapedAttacks() {
        return shapes().flatMap(shape -> upgradeAttacks().map(attack -> Arguments.of(shape, attack)));
    }

    /** What the kit's attacks are built from here: a fresh user's valid token, the runtime's keys. */
    static UpgradeAttack.Given given(String prefix) {
        return UpgradeAttack.Given.of(Tokens.ORIGIN, Tokens.valid(user(prefix))).withPublicKey(Tokens.publicKeyPem())
                .withSigningKey(Tokens.signingKeyPem());
    }

    static RawUpgrade.Answer send(URI endpoint, UpgradeAttack.Request request) throws Exception {
        return RawUpgrade.request(endpoint, request.query(), request.headers().stream()
                .map(h -> new String[] {h.getKey(), h.getValue()}).toList());
    }

    private static List<String[]> headers(String... namesAndValues) {
        List<String[]> headers = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(new String[] {namesAndValues[i], namesAndValues[i + 1]});
        }
        return headers;
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("shapedAttacks")
    void handshakeWhenAttackThenRefusedBeforeUpgrade(String shape, UpgradeAttack attack) throws Exception {
        RawUpgrade.Answer answer = send(endpoint(shape), attack.requestFor(given("h")));
        assertThat(answer.status()).as(attack.attack().title()).isEqualTo(attack.status());
        assertThat(answer.header("Sec-WebSocket-Accept")).isEmpty();
        if (attack.challenge().isPresent()) {
            assertThat(answer.header("WWW-Authenticate")).isEqualTo(attack.challenge());
        }
    }

    static Stream<UpgradeAttack> upgradeAttacks() {
        return ProbeSuite.upgradeAttacks().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("upgradeAttacks")
    void handshakeWhenEndpointUnguardedThenTheAttackUpgrades(UpgradeAttack attack) throws Exception {
        // Each request is one the runtime alone lets through: the refusals above are the guard's.
        RawUpgrade.Answer answer = send(open(), attack.requestFor(given("u")));
        assertThat(answer.status()).as(attack.attack().title()).isEqualTo(101);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void handshakeWhenForeignOriginOrNoTokenThenRefusedWithoutBody(String shape) throws Exception {
        for (UpgradeAttack attack : ProbeSuite.upgradeAttacks()) {
            if (List.of("origin.foreign", "auth.none").contains(attack.attack().id())) {
                RawUpgrade.Answer answer = send(endpoint(shape), attack.requestFor(given("o")));
                assertThat(answer.status()).as(attack.toString()).isEqualTo(attack.status());
                assertThat(answer.bodyBytes()).as(attack.toString()).isZero();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void handshakeWhenTokenInSubprotocolThen101WithBearerSelected(String shape) throws Exception {
        RawUpgrade.Answer answer = RawUpgrade.request(endpoint(shape), null, headers("Origin", Tokens.ORIGIN,
                "Sec-WebSocket-Protocol", "bearer, " + Tokens.valid(user("sub"))));
        assertThat(answer.status()).isEqualTo(101);
        assertThat(answer.header("Sec-WebSocket-Protocol")).hasValue("bearer");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void handshakeWhenTokenInCookieWithAllowedOriginThen101(String shape) throws Exception {
        RawUpgrade.Answer answer = RawUpgrade.request(endpoint(shape), null, headers("Origin", Tokens.ORIGIN,
                "Cookie", "Bearer=" + Tokens.valid(user("cookie"))));
        assertThat(answer.status()).isEqualTo(101);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void handshakeWhenUpgradeFailsAfterTheGuardThenTheQuotaSlotComesBack(String shape) throws Exception {
        // The guard passes these (origin and token are fine); the runtime then refuses the WebSocket version it
        // does not speak. A slot taken by the guard and never given back would leave the user at 429.
        String subject = user("slot");
        for (int i = 0; i < Tokens.MAX_PER_USER + 1; i++) {
            RawUpgrade.Answer refused = RawUpgrade.request(endpoint(shape), null, headers("Origin", Tokens.ORIGIN,
                    "Authorization", "Bearer " + Tokens.valid(subject), "Sec-WebSocket-Version", "99"));
            assertThat(refused.status()).as("version 99 upgrade").isNotEqualTo(101);
        }
        try (Client first = Client.open(endpoint(shape), Tokens.valid(subject));
             Client second = Client.open(endpoint(shape), Tokens.valid(subject))) {
            first.send("{\"type\":\"echo\",\"text\":\"1\"}");
            assertThat(first.next()).contains("\"from\":\"" + subject + "\"");
            second.send("{\"type\":\"echo\",\"text\":\"2\"}");
            assertThat(second.next()).contains("\"from\":\"" + subject + "\"");
            assertThat(RawUpgrade.send(endpoint(shape), Tokens.ORIGIN, Tokens.valid(subject)).status())
                    .as("the quota still holds").isEqualTo(429);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void handshakeWhenPermessageDeflateOfferedThenDeclined(String shape) throws Exception {
        // Compression would let a small frame inflate past the size cap after it was checked.
        RawUpgrade.Answer answer = RawUpgrade.request(endpoint(shape), null, headers("Origin", Tokens.ORIGIN,
                "Authorization", "Bearer " + Tokens.valid(user("deflate")),
                "Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"));
        assertThat(answer.status()).isEqualTo(101);
        assertThat(answer.header("Sec-WebSocket-Extensions")).as("no extension negotiated").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void handshakeWhenValidThen101(String shape) throws Exception {
        RawUpgrade.Answer answer = RawUpgrade.send(endpoint(shape), Tokens.ORIGIN, Tokens.valid(user("ok")));
        assertThat(answer.status()).isEqualTo(101);
        assertThat(answer.header("Sec-WebSocket-Accept")).isPresent();
    }

    // ------------------------------------------------------------------ after the 101

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void messageWhenWellBehavedThenHandlerAnswersWithVerifiedSubject(String shape) throws Exception {
        String subject = user("alice");
        try (Client client = Client.open(endpoint(shape), Tokens.valid(subject))) {
            client.send("{\"type\":\"echo\",\"text\":\"hello\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"echo\",\"from\":\"" + subject + "\",\"length\":5}");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void identityWhenTokenVerifiedByWsguardThenScopesFromScopeClaim(String shape) throws Exception {
        try (Client client = Client.open(endpoint(shape), Tokens.valid(user("who")))) {
            client.send("{\"type\":\"whoami\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"whoami\",\"verifier\":\"wsguard\",\"scopes\":\"read\"}");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void messageWhenRoleMissingThenForbiddenErrorAndSessionStaysUsable(String shape) throws Exception {
        try (Client client = Client.open(endpoint(shape), Tokens.valid(user("u")))) {
            client.send("{\"type\":\"revoke\",\"user\":\"nobody\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"error\",\"code\":\"forbidden\"}");
            client.send("{\"type\":\"echo\",\"text\":\"still here\"}");
            assertThat(client.next()).contains("\"length\":10");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void messageWhenOverRateLimitThenRateLimitedErrorsThenClose4429(String shape) throws Exception {
        // The kit's flood.message-rate against the burst limit (2 a minute per session), in one burst: two served,
        // the excess answered rate_limited until the session's violations run out (10), then close 4429.
        int burst = flood("flood.message-rate").sentAgainst(2);
        try (Client client = Client.open(endpoint(shape), Tokens.valid(user("r")))) {
            for (int i = 0; i < burst && !client.closeCode.isDone(); i++) {
                try {
                    client.send("{\"type\":\"burst\"}");
                } catch (ExecutionException e) {
                    // The 4429 may arrive before the burst is all written: the JDK client answers a close at once and
                    // its output is closed from then on. Anything else is a failure.
                    if (!client.closeCode.isDone()) {
                        throw e;
                    }
                }
            }
            assertThat(client.next()).isEqualTo("{\"type\":\"burst\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"burst\"}");
            assertThat(client.awaitClose(Duration.ofSeconds(20))).isEqualTo(4429);
            assertThat(new ArrayList<>(client.messages)).as("the answers past the limit").isNotEmpty()
                    .containsOnly(RATE_LIMITED);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void messageWhenChannelOfAnotherTenantThenForbiddenAndOwnTenantPosted(String shape) throws Exception {
        try (Client client = Client.open(endpoint(shape), Tokens.valid(user("c")))) {
            client.send("{\"type\":\"post\",\"channel\":\"tenant:globex:general\",\"text\":\"hi\"}");
            assertThat(client.next()).isEqualTo(FORBIDDEN);
            client.send("{\"type\":\"post\",\"channel\":\"tenant:acme-evil:general\",\"text\":\"hi\"}");
            assertThat(client.next()).as("a look-alike of the own tenant").isEqualTo(FORBIDDEN);
            client.send("{\"type\":\"post\",\"channel\":\"tenant:acme:general\",\"text\":\"hi\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"posted\",\"channel\":\"tenant:acme:general\"}");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void messageWhenConstraintFailsThenInvalidErrorWithTheServersValidator(String shape) throws Exception {
        try (Client client = Client.open(endpoint(shape), Tokens.valid(user("v")))) {
            client.send("{\"type\":\"post\",\"channel\":\"tenant:acme:general\",\"text\":\"\"}");
            assertThat(client.next()).as("empty text").isEqualTo(INVALID);
            client.send("{\"type\":\"post\",\"channel\":\"tenant:acme:general\",\"text\":\"a\\u202Eb\"}");
            assertThat(client.next()).as("a bidi override").isEqualTo(INVALID);
        }
    }

    /** The size cap of the application under test. */
    static final int MAX_MESSAGE_BYTES = 64 * 1024;

    /** What the kit's message attacks are made from here: the echo message, whose text field the schema knows. */
    static final MessageAttack.Given MESSAGES = new MessageAttack.Given("{\"type\":\"echo\",\"text\":\"a\"}",
            MAX_MESSAGE_BYTES);

    /**
     * The message attacks: the attack kit's catalogue again, hostile content then sizes, each with the close code
     * wsguard answers (a field the schema knows receives the hostile values, where the attack puts them in one).
     */
    static Stream<Arguments> messageAttacks() {
        return shapes().flatMap(shape -> ProbeSuite.messageAttacks().stream()
                .map(attack -> Arguments.of(shape, attack)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("messageAttacks")
    void messageWhenAttackThenClosedWithWsguardsCode(String shape, MessageAttack attack) throws Exception {
        List<String> fragments = attack.fragmentsFor(MESSAGES);
        int sent = 0;
        try (RawSocket socket = RawSocket.open(endpoint(shape), Tokens.valid(user("p")))) {
            // Like a real client, it stops sending once the server has answered (with its close frame).
            while (sent < fragments.size() && !socket.serverSpoke()
                    && socket.send(fragments.get(sent), sent == 0, sent == fragments.size() - 1)) {
                sent++;
            }
            assertThat(socket.awaitCloseCode()).as(attack.attack().title()).isEqualTo(attack.close());
        }
        if (attack.refusedMidway()) {
            System.out.println("MEASURE " + getClass().getSimpleName() + " " + System.getProperty("arquillian.launch")
                    + " " + shape + ": " + attack + ": frames written before the server refused the message: " + sent
                    + " of " + fragments.size());
            // Refused while reading: the answer came long before the whole message was sent.
            assertThat(sent).as("frames written").isLessThan(fragments.size());
        }
    }

    /**
     * Whether wsguard reads the frames a client sends: {@code GuardedServer} (its Grizzly filter) and Payara (the
     * {@code GuardedUpgradeHandler} under Tyrus) do; WildFly's Undertow reads them itself and hands wsguard whole
     * messages.
     */
    static boolean wsguardReadsFrames() {
        return !"wildfly".equals(System.getProperty("arquillian.launch"));
    }

    /**
     * Whether the runtime's frame guard reads every connection it upgrades, its unguarded endpoints' too:
     * {@code GuardedServer}'s Grizzly filter does (plain Tyrus assembling the same frames: the library's
     * {@code ProtocolAbuseIT}); Payara's guard sits under guarded upgrades only.
     */
    boolean framesGuardedOnEveryEndpoint() {
        return false;
    }

    /** How many frames one message may span under the cap: one per KiB of it, and at least 16. */
    static final int MAX_FRAMES_PER_MESSAGE = Math.max(16, MAX_MESSAGE_BYTES / 1024 + 1);

    /**
     * Writes {@code message} as {@code frames} frames (its first character, empty continuations, the rest) and
     * stops once the server has spoken; the socket is left to read the answer.
     */
    static RawSocket sendInFrames(URI endpoint, String token, String message, int frames) throws Exception {
        RawSocket socket = RawSocket.open(endpoint, token);
        for (int i = 0; i < frames && !socket.serverSpoke(); i++) {
            String part = i == 0 ? message.substring(0, 1) : i == frames - 1 ? message.substring(1) : "";
            if (!socket.send(part, i == 0, i == frames - 1)) {
                break;
            }
        }
        return socket;
    }

    /**
     * A small message in many frames: each one costs the server a frame's work and adds nothing, so wsguard bounds how
     * many one message may span ({@link #MAX_FRAMES_PER_MESSAGE}, 65 under this application's 64 KiB) and closes the
     * session {@code 1008} at the first frame past that, where it reads frames. The runtime alone assembles ten
     * thousand of them into one message.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void messageWhenSplitIntoMoreFramesThanItsSizeJustifiesThenClosed1008WhereWsguardReadsFrames(String shape)
            throws Exception {
        String echo = "{\"type\":\"echo\",\"text\":\"frames\"}";
        try (RawSocket unguarded = sendInFrames(open(), null, echo, 10_000)) {
            if (framesGuardedOnEveryEndpoint()) {
                assertThat(unguarded.awaitCloseCode()).as("GuardedServer's unguarded endpoint").isEqualTo(1008);
            } else {
                assertThat(unguarded.nextText()).as("unguarded: ten thousand frames make one message")
                        .isEqualTo("{\"type\":\"echo\",\"length\":" + echo.length() + "}");
            }
        }
        for (int frames : new int[] {MAX_FRAMES_PER_MESSAGE, MAX_FRAMES_PER_MESSAGE + 1, 10_000}) {
            // A user each: on Payara a client's own drop gives its slot back only after wsguard's probe.
            String subject = user("frames");
            String answered = "{\"type\":\"echo\",\"from\":\"" + subject + "\",\"length\":6}";
            try (RawSocket guarded = sendInFrames(endpoint(shape), Tokens.valid(subject), echo, frames)) {
                if (frames == MAX_FRAMES_PER_MESSAGE) {
                    assertThat(guarded.nextText()).as("%d frames, at the bound", frames).isEqualTo(answered);
                } else if (wsguardReadsFrames()) {
                    assertThat(guarded.awaitCloseCode()).as("%d frames", frames).isEqualTo(1008);
                } else {
                    assertThat(guarded.nextText()).as("%d frames, assembled by Undertow before wsguard sees them",
                            frames).isEqualTo(answered);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void messageWhenPerUserLimitThenSharedAcrossTheUsersSessions(String shape) throws Exception {
        // The kit's flood.user-message-rate against the post limit (3 a minute per user): its posts alternate
        // between two sessions of one user; the one past the limit is refused, whichever session sends it.
        String subject = user("limit");
        String post = "{\"type\":\"post\",\"channel\":\"tenant:acme:general\",\"text\":\"hi\"}";
        int limit = 3;
        try (Client first = Client.open(endpoint(shape), Tokens.valid(subject));
             Client second = Client.open(endpoint(shape), Tokens.valid(subject));
             Client other = Client.open(endpoint(shape), Tokens.valid(user("limit")))) {
            int sent = flood("flood.user-message-rate").sentAgainst(limit);
            for (int i = 0; i < sent; i++) {
                Client session = i % 2 == 0 ? first : second;
                session.send(post);
                if (i < limit) {
                    assertThat(session.next()).as("post " + (i + 1)).startsWith("{\"type\":\"posted\"");
                } else {
                    assertThat(session.next()).as("post " + (i + 1) + ", past the user's limit")
                            .isEqualTo(RATE_LIMITED);
                }
            }
            other.send(post);
            assertThat(other.next()).as("another user").startsWith("{\"type\":\"posted\"");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void sessionWhenRefreshedInBandThenOkAndAnotherSubjectUnauthorized(String shape) throws Exception {
        String subject = user("refresh");
        try (Client client = Client.open(endpoint(shape), Tokens.valid(subject))) {
            client.send("{\"type\":\"auth\",\"token\":\"" + Tokens.valid(subject) + "\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"auth\",\"status\":\"ok\"}");
            client.send("{\"type\":\"auth\",\"token\":\"" + Tokens.valid(user("thief")) + "\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"error\",\"code\":\"unauthorized\"}");
            client.send("{\"type\":\"echo\",\"text\":\"me\"}");
            assertThat(client.next()).contains("\"from\":\"" + subject + "\"");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void messageWhenManyOversizedThenServerHeapDoesNotGrow(String shape) throws Exception {
        // The kit's size.oversized-fragments, 300 times: each session closed 1009 must leave nothing behind.
        MessageAttack oversized = ProbeSuite.messageAttacks().stream()
                .filter(a -> a.attack().id().equals("size.oversized-fragments")).findFirst().orElseThrow();
        List<String> fragments = oversized.fragmentsFor(MESSAGES);
        long before = heap();
        for (int i = 0; i < 300; i++) {
            try (RawSocket socket = RawSocket.open(endpoint(shape), Tokens.valid(user("heap")))) {
                for (int f = 0; f < fragments.size() && !socket.serverSpoke(); f++) {
                    socket.send(fragments.get(f), f == 0, f == fragments.size() - 1);
                }
                assertThat(socket.awaitCloseCode()).isEqualTo(oversized.close());
            }
        }
        long after = heap();
        System.out.println("MEASURE " + getClass().getSimpleName() + " " + System.getProperty("arquillian.launch")
                + " " + shape
                + ": server heap after GC before 300 oversized messages " + (before >> 20) + " MB, after "
                + (after >> 20) + " MB");
        // 300 sessions kept with their 65 KB messages would be 20 MB and more; measured here: 0 to 2 MB.
        assertThat(after - before).isLessThan(10L << 20);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void sessionWhenClientStopsReadingThenClosedAtTheOutboundBoundAndConnectionDropped(String shape)
            throws Exception {
        try (RawSocket socket = RawSocket.open(endpoint(shape), Tokens.valid(user("slow")), 4096)) {
            int serverPort = endpoint(shape).getPort();
            assertThat(TcpStates.of(serverPort, socket.localPort())).as("the server's end, found while open")
                    .isEqualTo(TcpStates.ESTABLISHED);
            socket.send("{\"type\":\"flood\",\"count\":2000,\"size\":60000}", true, true);
            // Never reads again. The server's end of the connection must go: not merely a close frame queued
            // behind megabytes the client will never read.
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            String state;
            do {
                Thread.sleep(100);
                state = TcpStates.of(serverPort, socket.localPort());
            } while (TcpStates.ESTABLISHED.equals(state) && System.nanoTime() < deadline);
            System.out.println("MEASURE " + getClass().getSimpleName() + " " + System.getProperty("arquillian.launch")
                    + " " + shape + ": server end of a non-reader's connection after the flood: TCP state " + state);
            assertThat(state).as("the server's end of the connection (hex TCP state)")
                    .isNotEqualTo(TcpStates.ESTABLISHED);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void sessionWhenTheKitsNonReadingClientRunsThenNoFinding(String shape) {
        // The attack kit's slow.reader, as an operator runs it: a session that stops reading while it keeps asking
        // for large answers must be closed or dropped before 4 MiB queue up for it.
        Report report = ProbeSuite.against(endpoint(shape)).origin(Tokens.ORIGIN).token(() -> Tokens.valid(user("kit")))
                .sample("{\"type\":\"echo\",\"text\":\"a\"}")
                .bulkMessage("{\"type\":\"flood\",\"count\":200,\"size\":60000}")
                .only("slow.reader").run();
        System.out.println("MEASURE " + getClass().getSimpleName() + " " + System.getProperty("arquillian.launch")
                + " " + shape + ": " + report.results().get(report.results().size() - 1).observed());
        assertThat(report.results()).as(report.toTable()).extracting(r -> r.attack().id() + " " + r.verdict())
                .containsExactly("control.handshake PASS", "control.sample PASS", "slow.reader PASS");
    }

    private long heap() throws Exception {
        try (Client client = Client.open(endpoint(), Tokens.valid(user("probe")))) {
            client.send("{\"type\":\"heap\"}");
            String answer = client.next();
            return Long.parseLong(answer.replaceAll("\\D", ""));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void sessionWhenTokenExpiresThenClose4401(String shape) throws Exception {
        try (Client client = Client.open(endpoint(shape), Tokens.expiringIn(user("exp"), Duration.ofSeconds(3)))) {
            client.send("{\"type\":\"echo\",\"text\":\"ok\"}");
            assertThat(client.next()).contains("\"length\":2");
            assertThat(client.awaitClose(Duration.ofSeconds(20))).isEqualTo(4401);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void sessionWhenUserRevokedThenClose4401AndNoNewHandshake(String shape) throws Exception {
        String victim = user("victim");
        String token = Tokens.valid(victim);
        try (Client target = Client.open(endpoint(shape), token);
             Client secondSession = Client.open(endpoint(shape), Tokens.valid(victim));
             Client admin = Client.open(endpoint(shape), Tokens.valid(user("admin"), "admin"))) {
            admin.send("{\"type\":\"revoke\",\"user\":\"" + victim + "\"}");
            assertThat(admin.next()).isEqualTo("{\"type\":\"revoked\"}");
            assertThat(target.awaitClose(Duration.ofSeconds(20))).isEqualTo(4401);
            assertThat(secondSession.awaitClose(Duration.ofSeconds(20))).as("the user's other session").isEqualTo(4401);
        }
        // Payara recycles the upgrade request of a WebSocket the server closed while a worker may already reuse it
        // for the next request, which then fails with 500 (an NPE inside Grizzly; payara/Payara#5432, seen here in 1
        // of about 5 runs when this request followed the closes within milliseconds). The claim is the 401, not
        // that race: the request waits one close grace (what GuardedServer gives a closing connection).
        Thread.sleep(1_000);
        RawUpgrade.Answer again = RawUpgrade.send(endpoint(shape), Tokens.ORIGIN, token);
        assertThat(again.status()).isEqualTo(401);
    }
}
