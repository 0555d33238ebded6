package dev.wsguard.probe;

import dev.wsguard.probe.internal.Catalogue;
import dev.wsguard.probe.internal.Target;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The attack catalogue aimed at one WebSocket endpoint: cross-site hijacking through look-alike origins, forged and
 * misplaced tokens, a user reaching an admin action or another tenant, malformed and hostile messages, oversized
 * messages, floods within the limits given, slow clients and plain {@code ws://}. Every attack is bounded in count
 * and time, stops by itself and connects only to the URL given.
 *
 * <pre>{@code
 * Report report = ProbeSuite.against(URI.create("wss://chat.example.com/chat"))
 *         .origin("https://chat.example.com").token(() -> idp.token("alice"))
 *         .sample("{\"type\":\"ping\"}").run();
 * }</pre>
 *
 * <p>Immutable and thread-safe; {@link #run()} may be called more than once (mind the endpoint's bans).
 */
public final class ProbeSuite {

    /** RFC 6265's cookie-name: an HTTP token. */
    private static final Pattern COOKIE_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private final Target target;

    private ProbeSuite(Target target) {
        this.target = target;
    }

    /** Starts describing the endpoint at {@code uri} ({@code ws://} or {@code wss://}). */
    public static Builder against(URI uri) {
        return new Builder(uri);
    }

    /** The whole catalogue, in the order it runs (controls first, floods and slow clients last). */
    public static List<Attack> catalogue() {
        return Catalogue.attacks();
    }

    /**
     * The attacks carried by one upgrade request, as data, with the exact answer wsguard gives each: what wsguard's
     * contract suite sends on every runtime, and what {@link #run()} sends.
     */
    public static List<UpgradeAttack> upgradeAttacks() {
        return Catalogue.upgradeAttacks();
    }

    /**
     * The floods, as data: how many each sends against a limit. What wsguard's contract suite sends against its own
     * limits, and what {@link #run()} sends against the limits given.
     */
    public static List<FloodAttack> floodAttacks() {
        return Catalogue.floodAttacks();
    }

    /**
     * The attacks carried by one message (malformed and hostile content, then sizes), as data, with the close code
     * wsguard gives each: what wsguard's contract
     * suite sends on every runtime, and what {@link #run()} sends.
     */
    public static List<MessageAttack> messageAttacks() {
        return Catalogue.messageAttacks();
    }

    /** The attacks this suite runs (its selection of the catalogue). */
    public List<Attack> attacks() {
        return Catalogue.attacks().stream().filter(a -> a.category().equals("control")
                || target.selected().test(a.id())).toList();
    }

    /** Runs every selected attack, one after the other. */
    public Report run() {
        return run(r -> { });
    }

    /** Runs every selected attack, handing each result to {@code progress} as soon as it is known. */
    public Report run(Consumer<Result> progress) {
        return Catalogue.run(target, progress);
    }

    /** The endpoint this suite targets. */
    public URI uri() {
        return target.uri();
    }

    /**
     * A description of the endpoint under test. Required: {@link #origin} and {@link #token}; {@link #sample} is
     * {@code {"type":"ping"}} unless set. Setters validate at once.
     */
    public static final class Builder {
        private final URI uri;
        private String origin;
        private Supplier<String> token;
        private TokenCarrier carrier = TokenCarrier.HEADER;
        private String cookieName = UpgradeAttack.Given.DEFAULT_COOKIE;
        private Supplier<String> lowToken;
        private Supplier<String> expiredToken;
        private byte[] publicKey;
        private String signingKey;
        private String sample = "{\"type\":\"ping\"}";
        private String adminMessage;
        private String foreignMessage;
        private String bulkMessage;
        private int maxMessageBytes = 65_536;
        private Rate messageRate;
        private Rate userMessageRate;
        private List<String> userRateMessages;
        private List<String> echoMessages;
        private Rate handshakeRate;
        private Integer maxConnections;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout;
        private boolean missingOriginAllowed;
        private Duration replyTimeout = Duration.ofSeconds(2);
        private Pattern refusal = Pattern.compile("(?i)error|forbidden|denied|unauthori[sz]ed|rate.?limit|invalid");
        private boolean insecureTls;
        private Predicate<String> selected = id -> true;

        private Builder(URI uri) {
            String scheme = Objects.requireNonNull(uri, "uri").getScheme();
            if (!"ws".equalsIgnoreCase(scheme) && !"wss".equalsIgnoreCase(scheme) || uri.getHost() == null) {
                throw new IllegalArgumentException("the target must be a ws:// or wss:// URL with a host: " + uri);
            }
            this.uri = uri;
        }

        /** The {@code Origin} the endpoint allows, e.g. {@code https://chat.example.com}. */
        public Builder origin(String origin) {
            URI parsed = URI.create(origin);
            if (parsed.getScheme() == null || parsed.getHost() == null) {
                throw new IllegalArgumentException("an origin is scheme://host[:port], got '" + origin + "'");
            }
            this.origin = origin;
            return this;
        }

        /** A valid token, asked once per run. */
        public Builder token(Supplier<String> token) {
            this.token = Objects.requireNonNull(token, "token");
            return this;
        }

        /** Where the endpoint reads its token; {@link TokenCarrier#HEADER} by default. */
        public Builder carrier(TokenCarrier carrier) {
            this.carrier = Objects.requireNonNull(carrier, "carrier");
            return this;
        }

        /**
         * The endpoint reads its token from the cookie {@code name} ({@link TokenCarrier#COOKIE}); the cookie
         * attacks use that name too. Without it, a cookie is named {@code Bearer}, as wsguard's default.
         */
        public Builder cookieName(String name) {
            if (name == null || !COOKIE_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("a cookie name is an HTTP token (letters, digits, !#$%&'*+-.^_`|~)"
                        + ", got '" + name + "'");
            }
            this.cookieName = name;
            this.carrier = TokenCarrier.COOKIE;
            return this;
        }

        /** A valid token with fewer rights, for the authorization attacks; without it they are not run. */
        public Builder lowToken(Supplier<String> lowToken) {
            this.lowToken = lowToken;
            return this;
        }

        /**
         * A token that was valid and has expired; without it (and without {@link #signingKey}) {@code auth.expired}
         * is not run.
         */
        public Builder expiredToken(Supplier<String> expiredToken) {
            this.expiredToken = expiredToken;
            return this;
        }

        /** The endpoint's verification key as published (PEM), for the HS256 key-confusion forgeries. */
        public Builder publicKey(String pem) {
            this.publicKey = pem == null ? null : pem.getBytes(StandardCharsets.US_ASCII);
            return this;
        }

        /**
         * A private key the endpoint trusts (PKCS#8 PEM, RSA or EC): a test issuer's, never a production one. With it
         * the probe signs tokens that are wrong in one claim only (expired, not yet valid, another issuer or audience,
         * no expiry, an unknown key id); without it those attacks are not run.
         */
        public Builder signingKey(String pem) {
            this.signingKey = pem;
            return this;
        }

        /** A valid message, a JSON object, that the endpoint answers with the valid token. */
        public Builder sample(String sample) {
            if (sample == null || !sample.strip().startsWith("{") || !sample.strip().endsWith("}")) {
                throw new IllegalArgumentException("the sample message must be a JSON object");
            }
            this.sample = sample.strip();
            return this;
        }

        /** A message only an admin may send; the {@link #lowToken} sends it. */
        public Builder adminMessage(String adminMessage) {
            this.adminMessage = adminMessage;
            return this;
        }

        /** A message reaching another tenant's data; the valid {@link #token} sends it. */
        public Builder foreignMessage(String foreignMessage) {
            this.foreignMessage = foreignMessage;
            return this;
        }

        /** A message whose answer is large, for the client that stops reading; the sample by default. */
        public Builder bulkMessage(String bulkMessage) {
            this.bulkMessage = bulkMessage;
            return this;
        }

        /** The largest message the endpoint accepts, in bytes (64 KiB unless set). */
        public Builder maxMessageBytes(int maxMessageBytes) {
            if (maxMessageBytes < 16 || maxMessageBytes > 8 * 1024 * 1024) {
                throw new IllegalArgumentException("max message bytes must be between 16 and 8 MiB");
            }
            this.maxMessageBytes = maxMessageBytes;
            return this;
        }

        /** The message rate one session may use; without it the message flood is not run. */
        public Builder messageRate(Rate messageRate) {
            this.messageRate = messageRate;
            return this;
        }

        /**
         * The rate of {@code messages}' last one that one user may use across all its sessions; the messages before
         * it are sent first on each session (a chat's subscribe before its posts). Without it the per-user flood is
         * not run.
         */
        public Builder userMessageRate(Rate rate, String... messages) {
            this.userMessageRate = Objects.requireNonNull(rate, "rate");
            this.userRateMessages = messages.length == 0 ? null : objects(messages);
            return this;
        }

        /**
         * A message whose text the endpoint sends back (a chat post), last of {@code messages}: the messages before it
         * are sent first on the same session, as they are (a subscribe to the channel posted to). Its string members
         * receive the markup of {@code inject.markup-echo} in turn. Without it the sample's are used.
         */
        public Builder echoMessage(String... messages) {
            this.echoMessages = objects(messages);
            return this;
        }

        /** The handshake rate one client may use: every attack stays within it but the handshake flood. */
        public Builder handshakeRate(Rate handshakeRate) {
            this.handshakeRate = handshakeRate;
            return this;
        }

        /** Connections one client (one user) may hold at once; without it the connection flood is not run. */
        public Builder maxConnections(int maxConnections) {
            if (maxConnections < 1 || maxConnections > 500) {
                throw new IllegalArgumentException("max connections must be between 1 and 500");
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /** How long the endpoint lets a handshake take (10 s unless set): the slowloris bound. */
        public Builder handshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = positive(handshakeTimeout, "handshake timeout");
            return this;
        }

        /**
         * How long the endpoint lets an open session go without a complete message before closing it; without it
         * {@code slow.message} (a message trickled a byte a second) is not run.
         */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = positive(idleTimeout, "idle timeout");
            return this;
        }

        /** Declares that the endpoint accepts requests without {@code Origin}: {@code origin.missing} is not run. */
        public Builder missingOriginAllowed(boolean allowed) {
            this.missingOriginAllowed = allowed;
            return this;
        }

        /** How long to wait for one answer (2 s unless set). */
        public Builder replyTimeout(Duration replyTimeout) {
            this.replyTimeout = positive(replyTimeout, "reply timeout");
            return this;
        }

        /** What a refusal frame looks like (a regular expression found in the text). */
        public Builder refusal(Pattern refusal) {
            this.refusal = Objects.requireNonNull(refusal, "refusal");
            return this;
        }

        /** Accept any TLS certificate (a test server's own); the host name is then not checked either. */
        public Builder insecureTls(boolean insecureTls) {
            this.insecureTls = insecureTls;
            return this;
        }

        /** Runs only the attacks whose id starts with one of {@code prefixes} (controls always run). */
        public Builder only(String... prefixes) {
            List<String> list = Arrays.asList(prefixes.clone());
            this.selected = id -> list.stream().anyMatch(id::startsWith);
            return this;
        }

        /** The suite, once origin and token are set. */
        public ProbeSuite build() {
            if (origin == null || token == null) {
                throw new IllegalStateException("origin and token are required");
            }
            return new ProbeSuite(new Target(uri, origin, token, carrier, cookieName, Optional.ofNullable(lowToken),
                    Optional.ofNullable(expiredToken), Optional.ofNullable(publicKey), Optional.ofNullable(signingKey),
                    sample,
                    Optional.ofNullable(adminMessage), Optional.ofNullable(foreignMessage),
                    Optional.ofNullable(bulkMessage), maxMessageBytes, Optional.ofNullable(messageRate),
                    Optional.ofNullable(userMessageRate),
                    userRateMessages != null ? userRateMessages : List.of(sample),
                    echoMessages != null ? echoMessages : List.of(sample),
                    Optional.ofNullable(handshakeRate), Optional.ofNullable(maxConnections), handshakeTimeout,
                    Optional.ofNullable(idleTimeout),
                    missingOriginAllowed, replyTimeout, refusal, insecureTls, selected));
        }

        /** Shorthand for {@code build().run()}. */
        public Report run() {
            return build().run();
        }

        private static List<String> objects(String... messages) {
            if (messages.length == 0) {
                throw new IllegalArgumentException("at least one message is needed");
            }
            for (String m : messages) {
                if (m == null || !m.strip().startsWith("{") || !m.strip().endsWith("}")) {
                    throw new IllegalArgumentException("each message must be a JSON object, got '" + m + "'");
                }
            }
            return Arrays.stream(messages).map(String::strip).toList();
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero() || d.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException(what + " must be positive and at most 5 minutes");
            }
            return d;
        }
    }
}
