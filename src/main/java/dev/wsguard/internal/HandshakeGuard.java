package dev.wsguard.internal;

import dev.wsguard.GuardConfig;
import dev.wsguard.RateLimit;
import dev.wsguard.Rejection;
import dev.wsguard.SecurityEvent;
import dev.wsguard.internal.jwt.TokenDigest;
import dev.wsguard.internal.cluster.ClusterStores;
import dev.wsguard.internal.cluster.StoreUnavailableException;
import dev.wsguard.internal.jwt.TokenVerifier;
import dev.wsguard.internal.message.Limit;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The handshake pipeline, cheapest check first: an address ban, the per-address handshake rate, an address ban
 * made by another node (cluster mode: the shared store's, a round trip on JCache), origin, then
 * token extraction, then verification, revocation, a user ban and the connection quotas. Runtime-neutral:
 * adapters turn a {@link HandshakeView} in and render the {@link Outcome}. Emits exactly one security event per
 * call. Thread-safe.
 */
public final class HandshakeGuard implements AutoCloseable {

    /** The verdict on one handshake. */
    public sealed interface Outcome permits Accepted, Rejected {
        String connectionId();
    }

    /**
     * Every check passed; {@code identity} is null in first-message mode, where the token comes later.
     * {@code addressKey} is what the client address counts under ({@link ClientAddress#key}).
     */
    public record Accepted(String connectionId, JsonWebToken identity, boolean viaSubprotocol,
                           ConnectionQuotas.Slot slot, String clientAddress, String addressKey) implements Outcome {
    }

    /** Refused for {@code reason}; {@code retryAfterSeconds} is positive when the client may retry later. */
    public record Rejected(String connectionId, Rejection reason, long retryAfterSeconds) implements Outcome {
    }

    private static final int MAX_LOGGED_ORIGIN = 200;
    /** When a slot frees is unknown; a client is asked to wait this long before it tries again. */
    private static final long QUOTA_RETRY_AFTER_SECONDS = 10;
    private static final String ID_PREFIX = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    private static final AtomicLong IDS = new AtomicLong();

    private final GuardConfig config;
    private final TokenExtractor extractor;
    private final EventSink events;
    private final dev.wsguard.internal.message.GuardContext context;
    private final Limit handshakes;
    private final long retryAfterSeconds;
    private final ConnectionQuotas quotas;
    private final OriginAllowlist origins;
    private final ClientAddress addresses;

    /**
     * @throws dev.wsguard.GuardConfigException when keys cannot be loaded or the settings are unsafe
     */
    public HandshakeGuard(GuardConfig config) {
        this.config = config;
        this.extractor = new TokenExtractor(config);
        TokenVerifier verifier = new TokenVerifier(config.jwt(), config.tokenCacheSize(), config.tokenCacheTtl());
        this.events = new EventSink(config);
        this.context = new dev.wsguard.internal.message.GuardContext(config, events, verifier);
        this.handshakes = new Limit("handshake", RateLimit.Key.ADDRESS, config.handshakeRateLimit(),
                config.maxRateLimitKeys(), 0, events.keysEvicted());
        GuardConfig.ConnectionQuotaSetting q = config.connectionQuotas();
        this.quotas = new ConnectionQuotas(q.perAddress(), q.perUser(), q.perEndpoint(), q.total(),
                ClusterStores.of(config.cluster()));
        this.origins = OriginAllowlist.of(config.allowedOrigins());
        this.addresses = ClientAddress.trusting(config.trustedProxies(), config.ipv6PrefixLength());
        this.retryAfterSeconds = Math.max(1, (config.handshakeRateLimit().refreshPeriod().toMillis() + 999) / 1000);
    }

    /**
     * The guard is gone (its endpoint undeployed, its server closed): its JMX view and meters are unregistered and
     * its hold on wsguard's timer thread is released. Sessions still open keep their answers but lose their timers.
     * Idempotent.
     */
    @Override
    public void close() {
        events.close();
    }

    /** What the sessions this guard opens share: configuration, events, message guards. */
    public dev.wsguard.internal.message.GuardContext context() {
        return context;
    }

    /**
     * @param counted whether the connection takes a quota slot: only when the endpoint gives it back on close
     *                ({@code GuardedEndpoint} does)
     */
    public Outcome check(HandshakeView peerView, boolean counted) {
        return check(peerView, counted, peerView.path(), null);
    }

    /**
     * Whether a new connection from {@code peerAddress} may be closed at accept, before its request is read: its
     * address is banned here and has had its 429 answers ({@link Bans#dropsAtAccept}). Never where proxies are
     * trusted: the peer is then a proxy, and the client it speaks for is known only from the request's headers.
     */
    public boolean dropsAtAccept(String peerAddress) {
        Bans bans = events.bans();
        return bans != null && !addresses.trustsProxies() && bans.dropsAtAccept(addresses.key(peerAddress));
    }

    /** Counts a connection closed at accept after {@link #dropsAtAccept} said so. */
    public void droppedAtAccept() {
        Bans bans = events.bans();
        if (bans != null) {
            bans.droppedOne();
        }
    }

    /**
     * As {@link #check(HandshakeView, boolean)}, for the endpoint deployed at {@code endpoint}; when
     * {@code containerVerified} is given (the container already authenticated the upgrade with MP-JWT) that identity
     * is used instead of extracting and verifying a token; the rate limit, origin, revocation and quotas are still
     * enforced, and the expiry timer follows its {@code exp}.
     *
     * @param counted           whether the connection takes a quota slot
     * @param endpoint          the endpoint's deployed path template (never the requested path: it names the JMX
     *                          view and meters, whose number must stay bounded)
     * @param containerVerified the identity the container verified, or null
     */
    public Outcome check(HandshakeView peerView, boolean counted, String endpoint, JsonWebToken containerVerified) {
        events.endpoint(endpoint);
        quotas.endpoint(endpoint);
        try {
            return checkAll(peerView, counted, endpoint, containerVerified);
        } catch (StoreUnavailableException e) {
            // wsguard.cluster.on-store-failure=fail-closed: limits nobody can check are not let past.
            String id = ID_PREFIX + "-" + Long.toHexString(IDS.incrementAndGet());
            List<String> origins = peerView.header("Origin");
            return reject(id, peerView, origins.isEmpty() ? null : String.join(",", origins), null,
                    Rejection.CLUSTER_STORE_UNAVAILABLE, 1);
        }
    }

    private Outcome checkAll(HandshakeView peerView, boolean counted, String endpoint,
                             JsonWebToken containerVerified) {
        String client = addresses.resolve(peerView.clientAddress(), peerView.header("Forwarded"),
                peerView.header("X-Forwarded-For"));
        HandshakeView request = java.util.Objects.equals(client, peerView.clientAddress()) ? peerView
                : new HandshakeView(peerView.path(), peerView.headers(), peerView.parameters(), client,
                peerView.foldedNames());
        String id = ID_PREFIX + "-" + Long.toHexString(IDS.incrementAndGet());
        List<String> origins = request.header("Origin");
        String origin = origins.isEmpty() ? null : origins.size() == 1 ? origins.get(0) : String.join(",", origins);
        // Events name the address; every per-address count (ban, rate, quota, message limits) uses its key.
        String addressKey = addresses.key(request.clientAddress());

        Bans bans = events.bans();
        if (bans != null) {
            long banned = bans.refuseAddress(addressKey);
            if (banned > 0) {
                return reject(id, request, origin, null, Rejection.ADDRESS_BANNED, banned);
            }
        }
        // Where the runtime does not tell the address (Undertow), the Servlet filter of the EE integration limits.
        if (addressKey != null && !handshakes.acquireShared(addressKey)) {
            return reject(id, request, origin, null, Rejection.HANDSHAKE_RATE_LIMITED);
        }
        if (bans != null) {
            long banned = bans.sharedAddressSecondsLeft(addressKey);
            if (banned > 0) {
                return reject(id, request, origin, null, Rejection.ADDRESS_BANNED, banned);
            }
        }

        boolean originVerified = false;
        if (origins.isEmpty()) {
            if (!config.allowMissingOrigin()) {
                return reject(id, request, origin, null, Rejection.ORIGIN_MISSING);
            }
        } else if (origins.size() > 1 || !this.origins.allows(origins.get(0))) {
            return reject(id, request, origin, null, Rejection.ORIGIN_NOT_ALLOWED);
        } else {
            originVerified = true;
        }

        if (config.authMode() == dev.wsguard.GuardConfig.AuthMode.FIRST_MESSAGE) {
            // The token comes in the first message; the user's quota is counted then (Slot.bindUser).
            return acceptUnauthenticated(id, request, addressKey, origin, counted);
        }
        Authentication authenticated;
        String fingerprint;
        boolean viaSubprotocol;
        if (containerVerified != null) {
            fingerprint = containerVerified.getRawToken() == null ? null
                    : TokenDigest.of(containerVerified.getRawToken()).fingerprint();
            viaSubprotocol = false;
            authenticated = context.admit(containerVerified);
        } else {
            TokenExtractor.Found found = extractor.extract(request, originVerified);
            if (found.rejection() != null) {
                return reject(id, request, origin, null, found.rejection());
            }
            // One SHA-256 serves both the event's fingerprint and the verified-token cache.
            TokenDigest digest = TokenDigest.of(found.token());
            fingerprint = digest.fingerprint();
            authenticated = context.authenticate(found.token(), digest);
            viaSubprotocol = found.viaSubprotocol();
        }
        if (authenticated instanceof Authentication.Refused refused) {
            return reject(id, request, origin, fingerprint, refused.reason());
        }
        JsonWebToken identity = ((Authentication.Passed) authenticated).identity();
        if (bans != null) {
            long banned = bans.userSecondsLeft(identity.getSubject());
            if (banned > 0) {
                return reject(id, request, origin, fingerprint, Rejection.USER_BANNED, banned);
            }
        }
        ConnectionQuotas.Slot slot = null;
        if (counted) {
            slot = quotas.acquire(addressKey, identity.getSubject());
            if (slot == null) {
                return reject(id, request, origin, fingerprint, Rejection.CONNECTION_QUOTA_EXCEEDED);
            }
        }
        events.emit(new SecurityEvent(Instant.now(), SecurityEvent.Kind.HANDSHAKE_ACCEPTED,
                SecurityEvent.Phase.HANDSHAKE, null, id, request.path(), request.clientAddress(), clip(origin),
                fingerprint, identity.getSubject()));
        return new Accepted(id, identity, viaSubprotocol, slot, request.clientAddress(), addressKey);
    }

    private Outcome acceptUnauthenticated(String id, HandshakeView request, String addressKey, String origin,
                                          boolean counted) {
        ConnectionQuotas.Slot slot = null;
        if (counted) {
            slot = quotas.acquire(addressKey, null);
            if (slot == null) {
                return reject(id, request, origin, null, Rejection.CONNECTION_QUOTA_EXCEEDED);
            }
        }
        events.emit(new SecurityEvent(Instant.now(), SecurityEvent.Kind.HANDSHAKE_ACCEPTED,
                SecurityEvent.Phase.HANDSHAKE, null, id, request.path(), request.clientAddress(), clip(origin),
                null, null));
        return new Accepted(id, null, false, slot, request.clientAddress(), addressKey);
    }

    private Rejected reject(String id, HandshakeView request, String origin, String fingerprint, Rejection reason) {
        long retryAfter = reason == Rejection.HANDSHAKE_RATE_LIMITED ? retryAfterSeconds
                : reason == Rejection.CONNECTION_QUOTA_EXCEEDED ? QUOTA_RETRY_AFTER_SECONDS : 0;
        return reject(id, request, origin, fingerprint, reason, retryAfter);
    }

    private Rejected reject(String id, HandshakeView request, String origin, String fingerprint, Rejection reason,
                            long retryAfter) {
        events.emit(new SecurityEvent(Instant.now(), SecurityEvent.Kind.HANDSHAKE_REJECTED,
                SecurityEvent.Phase.HANDSHAKE, reason, id, request.path(), request.clientAddress(), clip(origin),
                fingerprint, null));
        return new Rejected(id, reason, retryAfter);
    }

    private static String clip(String s) {
        return s == null || s.length() <= MAX_LOGGED_ORIGIN ? s : s.substring(0, MAX_LOGGED_ORIGIN) + "...";
    }
}
