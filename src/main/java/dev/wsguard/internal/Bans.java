package dev.wsguard.internal;

import dev.wsguard.GuardConfig;
import dev.wsguard.RateLimit;
import dev.wsguard.Rejection;
import dev.wsguard.SecurityEvent;
import dev.wsguard.internal.cluster.ClusterStore;
import dev.wsguard.internal.message.Limit;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Temporary bans of client addresses and users that keep violating the rules: more than
 * {@code wsguard.bans.max-violations} violations within {@code wsguard.bans.window} ban the address (and, once a
 * token was verified, the user) for {@code wsguard.bans.duration}. A banned address is refused first thing at the
 * handshake, before any token work; a banned user once its token is verified. Both get 429 with
 * {@code Retry-After}.
 *
 * <p>Addresses count by their {@link ClientAddress#key key} (an IPv6 client by its network), so a ban covers what
 * the handshake rate limit and the quota count as one client; the ban events name that key.
 *
 * <p>Violations are counted with the bounded per-key limiters of {@link Limit} (resilience4j), which make room in a
 * full table by evicting a key seen once before a key in use: a flood of fresh addresses cannot turn into false
 * bans, and an evicted key merely starts counting again. At most {@code maxKeys} bans of each kind are in force. A
 * ban is never lifted early to make room: while the table is full, an offender that passes the limit is not banned
 * (it is still refused by whatever it keeps doing wrong, and rate limited), and each such missed ban is counted
 * ({@link #skipped()}). Every ban and every unban is a security event ({@link SecurityEvent.Kind#BANNED},
 * {@link SecurityEvent.Kind#UNBANNED}); bans end on time by wsguard's timer ({@link Timers}), whether or not the
 * client comes back. Thread-safe.
 */
public final class Bans {

    private final Limit byAddress;
    private final Limit byUser;
    private final ConcurrentHashMap<String, Ban> bannedAddresses = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Ban> bannedUsers = new ConcurrentHashMap<>();
    private final LongAdder droppedAtAccept = new LongAdder();
    private final Duration duration;
    private final int maxKeys;
    private final int ipv6PrefixLength;
    private final LongAdder skipped = new LongAdder();
    private final Consumer<SecurityEvent> events;
    private final ClusterStore store;
    private volatile String endpoint;

    /**
     * @param ipv6PrefixLength how event addresses are keyed ({@link ClientAddress#key(String, int)})
     * @param keysEvicted      counts violation counters evicted from a full table
     */
    Bans(GuardConfig.BanSetting setting, int maxKeys, int ipv6PrefixLength, LongAdder keysEvicted,
         Consumer<SecurityEvent> events) {
        this(setting, maxKeys, ipv6PrefixLength, keysEvicted, events,
                dev.wsguard.internal.cluster.LocalStore.INSTANCE);
    }

    /** @param store where bans are shared with the other nodes (the local store shares nothing) */
    Bans(GuardConfig.BanSetting setting, int maxKeys, int ipv6PrefixLength, LongAdder keysEvicted,
         Consumer<SecurityEvent> events, ClusterStore store) {
        this.store = store;
        GuardConfig.RateLimitSetting tolerated = new GuardConfig.RateLimitSetting(setting.maxViolations(),
                setting.window());
        this.byAddress = new Limit("bans-address", RateLimit.Key.ADDRESS, tolerated, maxKeys, 0, keysEvicted);
        this.byUser = new Limit("bans-user", RateLimit.Key.USER, tolerated, maxKeys, 0, keysEvicted);
        this.duration = setting.duration();
        this.maxKeys = maxKeys;
        this.ipv6PrefixLength = ipv6PrefixLength;
        this.events = events;
    }

    void endpoint(String path) {
        this.endpoint = path;
    }

    /** Seconds until the address with this {@link ClientAddress#key key} may connect again; 0 when not banned. */
    public long addressSecondsLeft(String addressKey) {
        return addressKey == null ? 0 : secondsLeft(bannedAddresses, addressKey);
    }

    /**
     * A handshake from the banned address with this key is being refused with 429: seconds until it may connect
     * again, as {@link #addressSecondsLeft}, and the answer is counted towards {@link #dropsAtAccept}.
     */
    public long refuseAddress(String addressKey) {
        Ban ban = addressKey == null ? null : bannedAddresses.get(addressKey);
        if (ban == null) {
            return 0;
        }
        ban.answered.incrementAndGet();
        return ban.secondsLeft();
    }

    /**
     * Whether a new connection from the address with this key may be closed at once, before its request is read:
     * the address is banned and has already been answered 429 with {@code Retry-After}
     * {@value #ANSWERED_BEFORE_DROP} times during this ban. Such a drop is counted ({@link #droppedAtAccept()}).
     */
    public boolean dropsAtAccept(String addressKey) {
        Ban ban = addressKey == null ? null : bannedAddresses.get(addressKey);
        return ban != null && ban.answered.get() >= ANSWERED_BEFORE_DROP && ban.secondsLeft() > 0;
    }

    /** A connection was closed at accept because its address is banned (see {@link #dropsAtAccept}). */
    public void droppedOne() {
        droppedAtAccept.increment();
    }

    /** Connections closed at accept, before their request was read, because their address was banned. */
    public long droppedAtAccept() {
        return droppedAtAccept.sum();
    }

    /**
     * Seconds left of a ban another node made on the address; 0 when none (always 0 without a shared store). Asked
     * after the handshake rate limit, so that a flood from one address costs no more store calls than it gets
     * handshakes where the store answers with a call (JCache; Redis answers from its copy of the bans).
     *
     * @throws dev.wsguard.internal.cluster.StoreUnavailableException as {@link ClusterStore#banSecondsLeft}
     */
    public long sharedAddressSecondsLeft(String addressKey) {
        return addressKey == null ? 0 : store.banSecondsLeft(ClusterStore.Scope.ADDRESS, addressKey);
    }

    /**
     * Seconds until the user may connect again, by this node's bans or another node's; 0 when not banned.
     *
     * @throws dev.wsguard.internal.cluster.StoreUnavailableException as {@link ClusterStore#banSecondsLeft}
     */
    public long userSecondsLeft(String subject) {
        return subject == null ? 0 : secondsLeft(bannedUsers, ClusterStore.Scope.USER, subject);
    }

    private long secondsLeft(ConcurrentHashMap<String, Ban> bans, ClusterStore.Scope scope, String key) {
        long here = secondsLeft(bans, key);
        return here > 0 ? here : store.banSecondsLeft(scope, key);
    }

    /** How many bans are in force. */
    public int active() {
        return bannedAddresses.size() + bannedUsers.size();
    }

    /** How many times a ban was due but not made because that kind's table held {@code maxKeys} bans. */
    public long skipped() {
        return skipped.sum();
    }

    private static long secondsLeft(ConcurrentHashMap<String, Ban> bans, String key) {
        Ban ban = bans.get(key);
        return ban == null ? 0 : ban.secondsLeft();
    }

    /** 429 answers a banned address gets during its ban before its connections are closed at accept. */
    static final int ANSWERED_BEFORE_DROP = 5;

    /** One ban: when it ends ({@link System#nanoTime()}), and how many handshakes it has refused with 429. */
    private static final class Ban {
        final long until;
        final AtomicInteger answered = new AtomicInteger();

        Ban(long until) {
            this.until = until;
        }

        long secondsLeft() {
            long left = until - System.nanoTime();
            return left <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toSeconds(left + 999_999_999L));
        }
    }

    /** Counts the event if it is a violation, and bans its address or user once they pass the limit. */
    void observe(SecurityEvent event) {
        if (!isViolation(event)) {
            return;
        }
        if (event.clientAddress() != null) {
            count(byAddress, bannedAddresses, ClientAddress.key(event.clientAddress(), ipv6PrefixLength), event,
                    true);
        }
        if (event.subject() != null) {
            count(byUser, bannedUsers, event.subject(), event, false);
        }
    }

    /**
     * What a client does wrong, as opposed to what merely happens to it: bad origins and tokens, handshake floods,
     * refused messages and the closes they lead to. Quotas, bans themselves, token expiry, revocation and the
     * session lifetime are not the client's fault and never count; neither does a single rate-limited message (its
     * repetition, which closes the session, does).
     */
    static boolean isViolation(SecurityEvent event) {
        Rejection reason = event.reason();
        if (reason == null) {
            return false;
        }
        return switch (event.kind()) {
            case HANDSHAKE_REJECTED -> reason != Rejection.CONNECTION_QUOTA_EXCEEDED
                    && reason != Rejection.ADDRESS_BANNED && reason != Rejection.USER_BANNED
                    && reason != Rejection.TOKEN_REVOKED && reason != Rejection.CLUSTER_STORE_UNAVAILABLE;
            case MESSAGE_REJECTED, AUTHORIZATION_DENIED -> reason != Rejection.TOKEN_REVOKED;
            case SESSION_CLOSED -> reason == Rejection.TOO_MANY_VIOLATIONS || reason == Rejection.RATE_LIMITED
                    || reason == Rejection.MESSAGE_MALFORMED || reason == Rejection.MESSAGE_TOO_BIG;
            default -> false;
        };
    }

    private void count(Limit violations, ConcurrentHashMap<String, Ban> bans, String key, SecurityEvent cause,
                       boolean address) {
        if (violations.acquireShared(key) || bans.containsKey(key)) {
            return;
        }
        if (bans.size() >= maxKeys) {
            skipped.increment();
            return;
        }
        Ban ban = new Ban(System.nanoTime() + duration.toNanos());
        if (bans.putIfAbsent(key, ban) != null) {
            return;
        }
        emit(SecurityEvent.Kind.BANNED, key, address, cause.reason(), cause.phase(), duration);
        try {
            store.ban(address ? ClusterStore.Scope.ADDRESS : ClusterStore.Scope.USER, key, duration);
        } catch (RuntimeException e) {
            // The ban holds on this node; the store's own failure handling has reported the outage.
        }
        Timers.schedule(() -> {
            if (bans.remove(key, ban)) {
                emit(SecurityEvent.Kind.UNBANNED, key, address, null, SecurityEvent.Phase.HANDSHAKE, null);
            }
        }, Math.max(1, duration.toMillis()));
    }

    private void emit(SecurityEvent.Kind kind, String key, boolean address, Rejection reason,
                      SecurityEvent.Phase phase, Duration lasting) {
        events.accept(new SecurityEvent(Instant.now(), kind, phase, reason, null, endpoint, address ? key : null,
                null, null, address ? null : key, null, null, null, lasting));
    }
}
