package dev.wsguard;

import dev.wsguard.internal.ConfigKeys;
import dev.wsguard.internal.ConfigLookup;
import dev.wsguard.internal.OriginAllowlist;

import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Everything the handshake guard enforces, validated when built: an instance that exists leaves no endpoint open.
 *
 * <p>Built in code with {@link #builder()}, or from configuration with {@link #fromConfig()} (system properties,
 * then environment variables, then every {@code META-INF/microprofile-config.properties} on the class path). The
 * MicroProfile JWT keys ({@code mp.jwt.verify.*}, {@code mp.jwt.token.*}) mean what they mean in MP-JWT; wsguard's
 * own keys live under {@code wsguard.}. Every key, its default, its meaning and the runtimes where it applies are
 * listed once, in {@code docs/configuration.md} of the source repository, which a test checks against the keys this
 * class reads. Required: {@code wsguard.origins.allowed}, {@code mp.jwt.verify.issuer},
 * {@code mp.jwt.verify.audiences} and one of {@code mp.jwt.verify.publickey} or
 * {@code mp.jwt.verify.publickey.location}.
 *
 * Immutable and thread-safe.
 */
public final class GuardConfig {

    private final OriginAllowlist origins;
    private final boolean allowMissingOrigin;
    private final Set<TokenSource> tokenSources;
    private final String queryParameter;
    private final String tokenHeader;
    private final String tokenCookie;
    private final JwtSettings jwt;
    private final int tokenCacheSize;
    private final Duration tokenCacheTtl;
    private final List<SecurityEventListener> listeners;
    private final int messageMaxBytes;
    private final boolean closeOnMalformed;
    private final int maxViolations;
    private final Duration violationWindow;
    private final int maxRateLimitKeys;
    private final Map<String, RateLimitSetting> rateLimits;
    private final RateLimitSetting handshakeRateLimit;
    private final ConnectionQuotaSetting connectionQuotas;
    private final List<String> trustedProxies;
    private final int ipv6PrefixLength;
    private final RevocationCheck revocations;
    private final Duration maxSessionLifetime;
    private final AuthMode authMode;
    private final Duration authDeadline;
    private final Duration pingInterval;
    private final long outboundMaxBytes;
    private final int outboundMaxMessages;
    private final BanSetting bans;
    private final ClusterSetting cluster;
    private final boolean metricsEnabled;
    private final Object meterRegistry;
    private final Function<String, Optional<String>> lookup;
    private final Set<String> configuredRateLimits;

    private static final String RATE_LIMIT_PREFIX = "wsguard.rate-limit.";

    /** When a guarded session authenticates: {@code wsguard.auth.mode}. */
    public enum AuthMode {
        /** The bearer token comes with the opening handshake and is verified before the 101 (the default). */
        HANDSHAKE,
        /**
         * The handshake passes without a token (origin, handshake rate limit and per-address quota still apply);
         * the client's first message must be {@code {"type":"auth","token":"..."}} within
         * {@code wsguard.auth.deadline}, or the session closes with 4401. Nothing else is processed before it.
         */
        FIRST_MESSAGE
    }

    /**
     * What token verification needs, already checked: exactly one of {@code publicKey} and
     * {@code publicKeyLocation} is set, algorithms are never {@code none} or HMAC, and audiences are never empty.
     *
     * @param publicKey         inline key material ({@code mp.jwt.verify.publickey}): PEM, JWK or JWKS; may be null
     * @param publicKeyLocation {@code mp.jwt.verify.publickey.location}: file path, {@code file:}, {@code classpath:}
     *                          or http(s) URL of a PEM, JWK or JWKS; may be null
     * @param algorithms        allowed JWS algorithms, e.g. RS256
     * @param issuer            required {@code iss}
     * @param audiences         accepted {@code aud} values
     * @param clockSkew         tolerance for exp, nbf and iat
     * @param maxLifetime       upper bound for {@code exp - iat}
     * @param jwksRefresh       how long keys fetched from a URL are cached before a refresh
     * @param jwksFetchWait     longest a request waits for a key fetch it started itself
     * @param clock             time source
     */
    public record JwtSettings(String publicKey, String publicKeyLocation, Set<String> algorithms, String issuer,
                              Set<String> audiences, Duration clockSkew, Duration maxLifetime, Duration jwksRefresh,
                              Duration jwksFetchWait, Clock clock) {

        /** {@code wsguard.token.jwks-fetch-wait} when not configured. */
        public static final Duration DEFAULT_JWKS_FETCH_WAIT = Duration.ofMillis(500);
        /** The longest {@code wsguard.token.jwks-fetch-wait}: a fetch is given up about then anyway. */
        public static final Duration MAX_JWKS_FETCH_WAIT = Duration.ofSeconds(5);

        /** As the canonical constructor, with {@link #DEFAULT_JWKS_FETCH_WAIT}. */
        public JwtSettings(String publicKey, String publicKeyLocation, Set<String> algorithms, String issuer,
                           Set<String> audiences, Duration clockSkew, Duration maxLifetime, Duration jwksRefresh,
                           Clock clock) {
            this(publicKey, publicKeyLocation, algorithms, issuer, audiences, clockSkew, maxLifetime, jwksRefresh,
                    DEFAULT_JWKS_FETCH_WAIT, clock);
        }
    }

    /**
     * Open connections allowed at once.
     *
     * @param perAddress {@code wsguard.connections.max-per-address}, default 100
     * @param perUser    {@code wsguard.connections.max-per-user}, default 20
     * @param perEndpoint {@code wsguard.connections.max-per-endpoint}, default 10000
     * @param total      {@code wsguard.connections.max-total}, for the process, default 20000
     */
    public record ConnectionQuotaSetting(int perAddress, int perUser, int perEndpoint, int total) {
        public ConnectionQuotaSetting {
            if (perAddress < 1 || perUser < 1 || perEndpoint < 1 || total < 1) {
                throw new GuardConfigException("wsguard.connections.* quotas must be at least 1");
            }
        }
    }

    /**
     * A rate limit as configured: {@code limit-for-period} permits every {@code limit-refresh-period}.
     *
     * @param limitForPeriod permits per period, at least 1
     * @param refreshPeriod  the period, at least 1 ms
     */
    public record RateLimitSetting(int limitForPeriod, Duration refreshPeriod) {
        public RateLimitSetting {
            if (limitForPeriod < 1) {
                throw new GuardConfigException("limit-for-period must be at least 1");
            }
            if (refreshPeriod == null || refreshPeriod.toMillis() < 1) {
                throw new GuardConfigException("limit-refresh-period must be at least 1 ms");
            }
        }
    }

    /**
     * Temporary bans: more than {@code maxViolations} violations within {@code window} from one client address or
     * one user ban it for {@code duration}.
     *
     * @param maxViolations violations tolerated per window, at least 1
     * @param window        the counting window, at least 1 ms
     * @param duration      how long a ban lasts, at least 1 ms
     */
    /**
     * {@code wsguard.cluster.*}: where the state several nodes must share lives (connection counts per user and per
     * address, per-user and per-address rate limits, bans, revocation notices). {@link Store#LOCAL} (the default)
     * keeps it in this process, as a single node needs; {@link Store#REDIS} shares it through the Redis server at
     * {@code redisUri}; {@link Store#JCACHE} through a JCache (JSR-107) provider, such as the Hazelcast that Payara
     * clusters with (docs/cluster.md).
     *
     * @param jcacheProvider the {@code CachingProvider} class to use, or {@code jndi:<name>} to look one up (Payara:
     *                       {@code jndi:payara/CachingProvider}); null for the one provider on the class path
     * @param jcacheUri      the provider's configuration URI (Hazelcast: its XML file), or null for its default
     * @param lease          how long a node's connection slots outlive the node: renewed while it lives
     * @param onStoreFailure what handshakes and shared limits do while the store cannot be reached
     * @param timeout        longest a handshake or a limit waits for the store before counting it unreachable
     * @param batchPercent   share of a shared rate limit's period allowance a node takes from the store at once
     */
    public record ClusterSetting(Store store, String redisUri, Duration lease, OnStoreFailure onStoreFailure,
                                 Duration timeout, int batchPercent, String jcacheProvider, String jcacheUri) {

        /** The store of shared state. */
        public enum Store {
            /** In this process: every limit holds per node. */
            LOCAL,
            /** A Redis server every node reaches; needs Lettuce and Bucket4j's Lettuce module. */
            REDIS,
            /** A JCache provider whose caches every node shares; needs the JCache API, Bucket4j's JCache module and a
             * provider (Payara supplies the API and the provider). */
            JCACHE
        }

        /** What happens while the store is unreachable; either way an event is emitted and recovery is automatic. */
        public enum OnStoreFailure {
            /** Handshakes are refused ({@link Rejection#CLUSTER_STORE_UNAVAILABLE}) and shared limits deny. */
            FAIL_CLOSED,
            /** Each node enforces every limit on its own, as with {@link Store#LOCAL}, until the store is back. */
            LOCAL
        }

        /** The default: everything in this process. */
        public static final ClusterSetting IN_PROCESS = new ClusterSetting(Store.LOCAL, null, Duration.ofSeconds(15),
                OnStoreFailure.FAIL_CLOSED, Duration.ofMillis(500), 10);

        /** A setting without JCache keys ({@code local} or {@code redis}). */
        public ClusterSetting(Store store, String redisUri, Duration lease, OnStoreFailure onStoreFailure,
                              Duration timeout, int batchPercent) {
            this(store, redisUri, lease, onStoreFailure, timeout, batchPercent, null, null);
        }

        public ClusterSetting {
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(onStoreFailure, "onStoreFailure");
            requirePositive(lease, "wsguard.cluster.lease");
            requirePositive(timeout, "wsguard.cluster.timeout");
            if (lease.compareTo(Duration.ofSeconds(3)) < 0) {
                throw new GuardConfigException("wsguard.cluster.lease must be at least PT3S: it is renewed every"
                        + " third of it");
            }
            if (batchPercent < 1 || batchPercent > 100) {
                throw new GuardConfigException("wsguard.cluster.batch-percent must be 1 to 100, not " + batchPercent);
            }
            if (store == Store.REDIS) {
                if (redisUri == null || redisUri.isBlank()) {
                    throw new GuardConfigException("wsguard.cluster.store=redis needs wsguard.cluster.redis.uri");
                }
                requireClasses("redis", "io.lettuce:lettuce-core and com.bucket4j:bucket4j_jdk17-lettuce",
                        "io.lettuce.core.RedisClient", "io.github.bucket4j.redis.lettuce.Bucket4jLettuce");
            }
            if (store == Store.JCACHE) {
                requireClasses("jcache", "javax.cache:cache-api (Payara has it) and"
                        + " com.bucket4j:bucket4j_jdk17-jcache, and a JCache provider such as com.hazelcast:hazelcast"
                        + " (Payara has one)", "javax.cache.Caching", "io.github.bucket4j.grid.jcache.Bucket4jJCache");
            }
            if (jcacheProvider != null && jcacheProvider.isBlank() || jcacheUri != null && jcacheUri.isBlank()) {
                throw new GuardConfigException("wsguard.cluster.jcache.provider and wsguard.cluster.jcache.uri must"
                        + " not be blank: leave them out for the defaults");
            }
        }

        private static void requireClasses(String store, String jars, String... classes) {
            for (String needed : classes) {
                try {
                    Class.forName(needed, false, GuardConfig.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new GuardConfigException("wsguard.cluster.store=" + store + " needs " + needed + " on the"
                            + " class path: add " + jars);
                }
            }
        }
    }

    public record BanSetting(int maxViolations, Duration window, Duration duration) {
        public BanSetting {
            if (maxViolations < 1) {
                throw new GuardConfigException("wsguard.bans.max-violations must be at least 1");
            }
            if (window == null || window.toMillis() < 1) {
                throw new GuardConfigException("wsguard.bans.window must be at least 1 ms");
            }
            if (duration == null || duration.toMillis() < 1) {
                throw new GuardConfigException("wsguard.bans.duration must be at least 1 ms");
            }
        }
    }

    private GuardConfig(Builder b) {
        if (b.origins.isEmpty()) {
            throw new GuardConfigException("wsguard.origins.allowed is not set: with no allowlist no browser origin"
                    + " could pass, so the endpoint is refused rather than left open or unusable");
        }
        this.origins = OriginAllowlist.of(b.origins);
        this.allowMissingOrigin = b.allowMissingOrigin;
        if (b.tokenSources.isEmpty()) {
            throw new GuardConfigException("wsguard.token.sources is empty: at least one token source is required");
        }
        this.tokenSources = Set.copyOf(b.tokenSources);
        this.queryParameter = requireText(b.queryParameter, "wsguard.token.query-parameter");
        this.tokenHeader = requireText(b.tokenHeader, "mp.jwt.token.header");
        this.tokenCookie = requireText(b.tokenCookie, "mp.jwt.token.cookie");
        if (b.publicKey == null && b.publicKeyLocation == null) {
            throw new GuardConfigException("no verification key: set mp.jwt.verify.publickey or"
                    + " mp.jwt.verify.publickey.location");
        }
        if (b.publicKey != null && b.publicKeyLocation != null) {
            throw new GuardConfigException("both mp.jwt.verify.publickey and mp.jwt.verify.publickey.location are"
                    + " set: choose one");
        }
        requireText(b.issuer, "mp.jwt.verify.issuer");
        if (b.audiences.isEmpty()) {
            throw new GuardConfigException("mp.jwt.verify.audiences is not set: tokens for other services would"
                    + " be accepted");
        }
        requirePositive(b.maxTokenLifetime, "wsguard.token.max-lifetime");
        requirePositive(b.jwksRefresh, "wsguard.token.jwks-refresh");
        if (b.jwksFetchWait.isNegative() || b.jwksFetchWait.compareTo(JwtSettings.MAX_JWKS_FETCH_WAIT) > 0) {
            throw new GuardConfigException("wsguard.token.jwks-fetch-wait must be between PT0S and PT5S");
        }
        if (b.clockSkew.isNegative() || b.clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new GuardConfigException("mp.jwt.verify.clock.skew must be between 0 and 300 seconds");
        }
        this.jwt = new JwtSettings(b.publicKey, b.publicKeyLocation, Set.copyOf(b.algorithms), b.issuer,
                Set.copyOf(b.audiences), b.clockSkew, b.maxTokenLifetime, b.jwksRefresh, b.jwksFetchWait, b.clock);
        if (b.tokenCacheSize < 0) {
            throw new GuardConfigException("wsguard.token.cache-size must not be negative (0 turns the cache off)");
        }
        requirePositive(b.tokenCacheTtl, "wsguard.token.cache-ttl");
        this.tokenCacheSize = b.tokenCacheSize;
        this.tokenCacheTtl = b.tokenCacheTtl;
        this.listeners = List.copyOf(b.listeners);
        if (b.messageMaxBytes < 1) {
            throw new GuardConfigException("wsguard.message.max-bytes must be at least 1");
        }
        this.messageMaxBytes = b.messageMaxBytes;
        this.closeOnMalformed = b.closeOnMalformed;
        if (b.maxViolations < 1) {
            throw new GuardConfigException("wsguard.message.max-violations must be at least 1");
        }
        this.maxViolations = b.maxViolations;
        requirePositive(b.violationWindow, "wsguard.message.violation-window");
        this.violationWindow = b.violationWindow;
        if (b.maxRateLimitKeys < 1) {
            throw new GuardConfigException("wsguard.rate-limit.max-keys must be at least 1");
        }
        this.maxRateLimitKeys = b.maxRateLimitKeys;
        this.rateLimits = Map.copyOf(b.rateLimits);
        this.handshakeRateLimit = b.handshakeRateLimit;
        this.connectionQuotas = new ConnectionQuotaSetting(b.connectionQuotas[0], b.connectionQuotas[1],
                b.connectionQuotas[2], b.connectionQuotas[3]);
        this.trustedProxies = List.copyOf(b.trustedProxies);
        if (b.ipv6PrefixLength < 1 || b.ipv6PrefixLength > 128) {
            throw new GuardConfigException("wsguard.address.ipv6-prefix-length must be 1 to 128, not "
                    + b.ipv6PrefixLength);
        }
        this.ipv6PrefixLength = b.ipv6PrefixLength;
        this.revocations = b.revocations;
        if (b.maxSessionLifetime != null && (b.maxSessionLifetime.isNegative() || b.maxSessionLifetime.isZero())) {
            throw new GuardConfigException("wsguard.session.max-lifetime must be a positive duration or none");
        }
        this.maxSessionLifetime = b.maxSessionLifetime;
        this.authMode = Objects.requireNonNull(b.authMode, "authMode");
        if (authMode == AuthMode.FIRST_MESSAGE && b.authDeadline == null) {
            throw new GuardConfigException("wsguard.auth.mode=first-message needs wsguard.auth.deadline: without one"
                    + " an unauthenticated socket could stay open forever");
        }
        if (b.authDeadline != null) {
            requirePositive(b.authDeadline, "wsguard.auth.deadline");
            if (b.authDeadline.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new GuardConfigException("wsguard.auth.deadline must be at most PT5M: an unauthenticated"
                        + " socket holds a connection slot until then");
            }
        }
        this.authDeadline = b.authDeadline;
        if (b.pingInterval != null && (b.pingInterval.isNegative() || b.pingInterval.toMillis() < 1)) {
            throw new GuardConfigException("wsguard.session.ping-interval must be a positive duration or none");
        }
        this.pingInterval = b.pingInterval;
        if (b.outboundMaxBytes < 1 || b.outboundMaxMessages < 1) {
            throw new GuardConfigException("wsguard.outbound.max-bytes and wsguard.outbound.max-messages must be at"
                    + " least 1");
        }
        this.outboundMaxBytes = b.outboundMaxBytes;
        this.outboundMaxMessages = b.outboundMaxMessages;
        this.bans = b.bansEnabled ? new BanSetting(b.banMaxViolations, b.banWindow, b.banDuration) : null;
        this.cluster = b.cluster;
        if (b.meterRegistry != null && !b.metricsEnabled) {
            throw new GuardConfigException("a meter registry is set but wsguard.metrics.enabled is false");
        }
        if (b.meterRegistry != null && !isMeterRegistry(b.meterRegistry.getClass())) {
            throw new GuardConfigException("meterRegistry must be an io.micrometer.core.instrument.MeterRegistry,"
                    + " not " + b.meterRegistry.getClass().getName());
        }
        this.metricsEnabled = b.metricsEnabled;
        this.meterRegistry = b.meterRegistry;
        dev.wsguard.internal.ClientAddress.trusting(trustedProxies, ipv6PrefixLength);
        this.lookup = b.lookup;
        this.configuredRateLimits = Set.copyOf(b.configuredRateLimits);
    }

    private static boolean isMeterRegistry(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals("io.micrometer.core.instrument.MeterRegistry")) {
                return true;
            }
        }
        return false;
    }

    /**
     * A builder holding every setting of {@code config}, to derive a variant: each builder method then replaces the
     * one setting it names (listeners are added to those of {@code config}).
     */
    public static Builder from(GuardConfig config) {
        Builder b = new Builder();
        b.origins.addAll(config.origins.entries());
        b.allowMissingOrigin = config.allowMissingOrigin;
        b.tokenSources.clear();
        b.tokenSources.addAll(config.tokenSources);
        b.queryParameter = config.queryParameter;
        b.tokenHeader = config.tokenHeader;
        b.tokenCookie = config.tokenCookie;
        JwtSettings jwt = config.jwt;
        b.publicKey = jwt.publicKey();
        b.publicKeyLocation = jwt.publicKeyLocation();
        b.algorithms.clear();
        b.algorithms.addAll(jwt.algorithms());
        b.issuer = jwt.issuer();
        b.audiences.addAll(jwt.audiences());
        b.clockSkew = jwt.clockSkew();
        b.maxTokenLifetime = jwt.maxLifetime();
        b.jwksRefresh = jwt.jwksRefresh();
        b.jwksFetchWait = jwt.jwksFetchWait();
        b.clock = jwt.clock();
        b.tokenCacheSize = config.tokenCacheSize;
        b.tokenCacheTtl = config.tokenCacheTtl;
        b.listeners.addAll(config.listeners);
        b.messageMaxBytes = config.messageMaxBytes;
        b.closeOnMalformed = config.closeOnMalformed;
        b.maxViolations = config.maxViolations;
        b.violationWindow = config.violationWindow;
        b.maxRateLimitKeys = config.maxRateLimitKeys;
        b.rateLimits.putAll(config.rateLimits);
        b.lookup = config.lookup;
        b.handshakeRateLimit = config.handshakeRateLimit;
        ConnectionQuotaSetting quotas = config.connectionQuotas;
        b.connectionQuotas(quotas.perAddress(), quotas.perUser(), quotas.perEndpoint(), quotas.total());
        b.trustedProxies.addAll(config.trustedProxies);
        b.ipv6PrefixLength = config.ipv6PrefixLength;
        b.revocations = config.revocations;
        b.maxSessionLifetime = config.maxSessionLifetime;
        b.authMode = config.authMode;
        b.authDeadline = config.authDeadline;
        b.pingInterval = config.pingInterval;
        b.outboundMaxBytes = config.outboundMaxBytes;
        b.outboundMaxMessages = config.outboundMaxMessages;
        b.bansEnabled = config.bans != null;
        if (config.bans != null) {
            b.banMaxViolations = config.bans.maxViolations();
            b.banWindow = config.bans.window();
            b.banDuration = config.bans.duration();
        }
        b.cluster = config.cluster;
        b.metricsEnabled = config.metricsEnabled;
        b.meterRegistry = config.meterRegistry;
        b.configuredRateLimits.addAll(config.configuredRateLimits);
        return b;
    }

    /** A builder with the documented defaults and nothing allowed. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads every key from system properties, environment variables ({@code WSGUARD_ORIGINS_ALLOWED} style) and
     * {@code META-INF/microprofile-config.properties}, in that order of precedence. A configured {@code wsguard.*}
     * name under one of the library's sections that is not a key it reads (a typo) is logged as a {@code WARNING}
     * on the logger {@code dev.wsguard}, with the nearest key.
     *
     * @throws GuardConfigException when a required key is missing or a value is invalid
     */
    public static GuardConfig fromConfig() {
        // A typo must not silently leave a default in force: name it, and the key it was probably meant to be.
        for (String line : ConfigKeys.unknown(ConfigLookup.names("wsguard."))) {
            System.getLogger("dev.wsguard").log(System.Logger.Level.WARNING, line);
        }
        return fromConfig(ConfigLookup.standard(), ConfigLookup.names(RATE_LIMIT_PREFIX));
    }

    /**
     * As {@link #fromConfig(Function)}, also told which {@code wsguard.rate-limit.*} keys are set, so that a key
     * for a limit no endpoint declares (a typo that would leave the declared default in force) fails deployment.
     *
     * @throws GuardConfigException as {@link #fromConfig(Function)}, or for a key under {@code wsguard.rate-limit.}
     *                              that is neither {@code max-keys} nor {@code <name>.limit-for-period} or
     *                              {@code <name>.limit-refresh-period}
     */
    public static GuardConfig fromConfig(Function<String, Optional<String>> lookup, Set<String> rateLimitKeys) {
        Set<String> names = new java.util.TreeSet<>();
        for (String key : rateLimitKeys) {
            String rest = key.substring(RATE_LIMIT_PREFIX.length());
            if (rest.equals("max-keys")) {
                continue;
            }
            int dot = rest.lastIndexOf('.');
            String suffix = dot < 0 ? "" : rest.substring(dot + 1);
            if (dot <= 0 || !(suffix.equals("limit-for-period") || suffix.equals("limit-refresh-period"))) {
                throw new GuardConfigException(key + " is not a wsguard key: rate limits are tuned with"
                        + " wsguard.rate-limit.<name>.limit-for-period and .limit-refresh-period");
            }
            names.add(rest.substring(0, dot));
        }
        return read(lookup).configuredRateLimits(names).build();
    }

    /** Reads every key through {@code lookup} (key to value, empty when unset). */
    public static GuardConfig fromConfig(Function<String, Optional<String>> lookup) {
        return read(lookup).build();
    }

    private static Builder read(Function<String, Optional<String>> configured) {
        Function<String, Optional<String>> lookup = ConfigKeys.checked(configured);
        Builder b = builder();
        lookup.apply("wsguard.origins.allowed").ifPresent(v -> b.allowedOrigins(split(v)));
        lookup.apply("wsguard.origins.allow-missing").ifPresent(v -> b.allowMissingOrigin(bool(v,
                "wsguard.origins.allow-missing")));
        Optional<String> header = lookup.apply("mp.jwt.token.header");
        header.ifPresent(b::tokenHeader);
        Optional<String> sources = lookup.apply("wsguard.token.sources");
        if (sources.isPresent()) {
            b.tokenSources(Arrays.stream(split(sources.get())).map(TokenSource::fromKey)
                    .toArray(TokenSource[]::new));
        } else if (header.filter(h -> h.trim().equalsIgnoreCase("Cookie")).isPresent()) {
            b.tokenSources(TokenSource.COOKIE);
        }
        lookup.apply("wsguard.token.query-parameter").ifPresent(b::queryParameter);
        lookup.apply("mp.jwt.token.cookie").ifPresent(b::tokenCookie);
        lookup.apply("wsguard.token.max-lifetime").ifPresent(v -> b.maxTokenLifetime(duration(v,
                "wsguard.token.max-lifetime")));
        lookup.apply("wsguard.token.jwks-refresh").ifPresent(v -> b.jwksRefresh(duration(v,
                "wsguard.token.jwks-refresh")));
        lookup.apply("wsguard.token.jwks-fetch-wait").ifPresent(v -> b.jwksFetchWait(duration(v,
                "wsguard.token.jwks-fetch-wait")));
        lookup.apply("wsguard.token.cache-size").ifPresent(v -> b.tokenCacheSize(integer(v,
                "wsguard.token.cache-size")));
        lookup.apply("wsguard.token.cache-ttl").ifPresent(v -> b.tokenCacheTtl(duration(v,
                "wsguard.token.cache-ttl")));
        lookup.apply("mp.jwt.verify.publickey").ifPresent(b::publicKey);
        lookup.apply("mp.jwt.verify.publickey.location").ifPresent(b::publicKeyLocation);
        lookup.apply("mp.jwt.verify.publickey.algorithm").ifPresent(v -> b.algorithms(split(v)));
        lookup.apply("mp.jwt.verify.issuer").ifPresent(b::issuer);
        lookup.apply("mp.jwt.verify.audiences").ifPresent(v -> b.audiences(split(v)));
        lookup.apply("mp.jwt.verify.clock.skew").ifPresent(v -> b.clockSkew(seconds(v,
                "mp.jwt.verify.clock.skew")));
        lookup.apply("wsguard.message.max-bytes").ifPresent(v -> b.messageMaxBytes(integer(v,
                "wsguard.message.max-bytes")));
        lookup.apply("wsguard.message.malformed").ifPresent(v -> {
            switch (v.trim().toLowerCase(Locale.ROOT)) {
                case "close" -> b.closeOnMalformed(true);
                case "error" -> b.closeOnMalformed(false);
                default -> throw new GuardConfigException("wsguard.message.malformed must be close or error");
            }
        });
        lookup.apply("wsguard.message.max-violations").ifPresent(v -> b.maxViolations(integer(v,
                "wsguard.message.max-violations")));
        lookup.apply("wsguard.message.violation-window").ifPresent(v -> b.violationWindow(duration(v,
                "wsguard.message.violation-window")));
        lookup.apply("wsguard.rate-limit.max-keys").ifPresent(v -> b.maxRateLimitKeys(integer(v,
                "wsguard.rate-limit.max-keys")));
        int handshakes = lookup.apply("wsguard.handshake.limit-for-period")
                .map(v -> integer(v, "wsguard.handshake.limit-for-period")).orElse(b.handshakeRateLimit.limitForPeriod());
        Duration handshakePeriod = lookup.apply("wsguard.handshake.limit-refresh-period")
                .map(v -> duration(v, "wsguard.handshake.limit-refresh-period"))
                .orElse(b.handshakeRateLimit.refreshPeriod());
        b.handshakeRateLimit(handshakes, handshakePeriod);
        String[] quotaKeys = {"max-per-address", "max-per-user", "max-per-endpoint", "max-total"};
        for (int i = 0; i < quotaKeys.length; i++) {
            String key = "wsguard.connections." + quotaKeys[i];
            int index = i;
            lookup.apply(key).ifPresent(v -> b.connectionQuotas[index] = integer(v, key));
        }
        lookup.apply("wsguard.trusted-proxies").ifPresent(v -> b.trustedProxies(split(v)));
        lookup.apply("wsguard.address.ipv6-prefix-length").ifPresent(v -> b.ipv6PrefixLength(integer(v,
                "wsguard.address.ipv6-prefix-length")));
        lookup.apply("wsguard.session.max-lifetime").ifPresent(v -> b.maxSessionLifetime(
                v.trim().equalsIgnoreCase("none") ? null : duration(v, "wsguard.session.max-lifetime")));
        lookup.apply("wsguard.auth.mode").ifPresent(v -> {
            switch (v.trim().toLowerCase(Locale.ROOT)) {
                case "handshake" -> b.authMode(AuthMode.HANDSHAKE);
                case "first-message" -> b.authMode(AuthMode.FIRST_MESSAGE);
                default -> throw new GuardConfigException("wsguard.auth.mode must be handshake or first-message");
            }
        });
        lookup.apply("wsguard.auth.deadline").ifPresent(v -> b.authDeadline(duration(v, "wsguard.auth.deadline")));
        lookup.apply("wsguard.session.ping-interval").ifPresent(v -> b.pingInterval(
                v.trim().equalsIgnoreCase("none") ? null : duration(v, "wsguard.session.ping-interval")));
        lookup.apply("wsguard.outbound.max-bytes").ifPresent(v -> b.outboundMaxBytes(integer(v,
                "wsguard.outbound.max-bytes")));
        lookup.apply("wsguard.outbound.max-messages").ifPresent(v -> b.outboundMaxMessages(integer(v,
                "wsguard.outbound.max-messages")));
        lookup.apply("wsguard.bans.enabled").ifPresent(v -> b.bansEnabled(bool(v, "wsguard.bans.enabled")));
        lookup.apply("wsguard.bans.max-violations").ifPresent(v -> b.banMaxViolations = integer(v,
                "wsguard.bans.max-violations"));
        lookup.apply("wsguard.bans.window").ifPresent(v -> b.banWindow = duration(v, "wsguard.bans.window"));
        lookup.apply("wsguard.bans.duration").ifPresent(v -> b.banDuration = duration(v, "wsguard.bans.duration"));
        readCluster(lookup, b);
        lookup.apply("wsguard.metrics.enabled").ifPresent(v -> b.metricsEnabled(bool(v,
                "wsguard.metrics.enabled")));
        b.lookup = lookup;
        return b;
    }

    private static void readCluster(Function<String, Optional<String>> lookup, Builder b) {
        ClusterSetting d = ClusterSetting.IN_PROCESS;
        ClusterSetting.Store store = lookup.apply("wsguard.cluster.store").map(v ->
                switch (v.trim().toLowerCase(Locale.ROOT)) {
                    case "local" -> ClusterSetting.Store.LOCAL;
                    case "redis" -> ClusterSetting.Store.REDIS;
                    case "jcache" -> ClusterSetting.Store.JCACHE;
                    default -> throw new GuardConfigException("wsguard.cluster.store must be local, redis or jcache,"
                            + " not '" + v.trim() + "'");
                }).orElse(d.store());
        ClusterSetting.OnStoreFailure onFailure = lookup.apply("wsguard.cluster.on-store-failure").map(v ->
                switch (v.trim().toLowerCase(Locale.ROOT)) {
                    case "fail-closed" -> ClusterSetting.OnStoreFailure.FAIL_CLOSED;
                    case "local" -> ClusterSetting.OnStoreFailure.LOCAL;
                    default -> throw new GuardConfigException("wsguard.cluster.on-store-failure must be fail-closed"
                            + " or local, not '" + v.trim() + "'");
                }).orElse(d.onStoreFailure());
        b.cluster(new ClusterSetting(store, lookup.apply("wsguard.cluster.redis.uri").map(String::trim).orElse(null),
                lookup.apply("wsguard.cluster.lease").map(v -> duration(v, "wsguard.cluster.lease"))
                        .orElse(d.lease()), onFailure,
                lookup.apply("wsguard.cluster.timeout").map(v -> duration(v, "wsguard.cluster.timeout"))
                        .orElse(d.timeout()),
                lookup.apply("wsguard.cluster.batch-percent").map(v -> integer(v, "wsguard.cluster.batch-percent"))
                        .orElse(d.batchPercent()),
                lookup.apply("wsguard.cluster.jcache.provider").map(String::trim).orElse(null),
                lookup.apply("wsguard.cluster.jcache.uri").map(String::trim).orElse(null)));
    }

    /**
     * {@code wsguard.origins.allowed}: the allowlist entries as configured ({@code scheme://host[:port]} or
     * {@code scheme://*.domain[:port]}); never empty.
     */
    public List<String> allowedOrigins() {
        return origins.entries();
    }

    public boolean allowMissingOrigin() {
        return allowMissingOrigin;
    }

    public Set<TokenSource> tokenSources() {
        return tokenSources;
    }

    public String queryParameter() {
        return queryParameter;
    }

    public String tokenHeader() {
        return tokenHeader;
    }

    public String tokenCookie() {
        return tokenCookie;
    }

    /** Token verification settings ({@code mp.jwt.verify.*} and {@code wsguard.token.*}), as handed to the verifier. */
    public JwtSettings jwt() {
        return jwt;
    }

    /** {@code wsguard.token.cache-size}, default 10000: verified tokens remembered; 0 when the cache is off. */
    public int tokenCacheSize() {
        return tokenCacheSize;
    }

    /** {@code wsguard.token.cache-ttl}, default 5 minutes: longest a cached verdict is reused. */
    public Duration tokenCacheTtl() {
        return tokenCacheTtl;
    }

    public List<SecurityEventListener> listeners() {
        return listeners;
    }

    /** {@code wsguard.message.max-bytes}, default 65536. */
    public int messageMaxBytes() {
        return messageMaxBytes;
    }

    /** {@code wsguard.message.malformed}: close with 1007 (default) or answer an error frame. */
    public boolean closeOnMalformed() {
        return closeOnMalformed;
    }

    /** {@code wsguard.message.max-violations}, default 10: refusals within the window before the close. */
    public int maxViolations() {
        return maxViolations;
    }

    /** {@code wsguard.message.violation-window}, default PT1M. */
    public Duration violationWindow() {
        return violationWindow;
    }

    /**
     * {@code wsguard.handshake.limit-for-period} handshakes per client address every
     * {@code wsguard.handshake.limit-refresh-period}; default 50 per {@code PT10S}. Checked before anything else,
     * so a flood of handshakes costs no signature work; answered 429 with {@code Retry-After}.
     */
    public RateLimitSetting handshakeRateLimit() {
        return handshakeRateLimit;
    }

    /** Open connections allowed at once, per client address, per user, per endpoint and in the process. */
    public ConnectionQuotaSetting connectionQuotas() {
        return connectionQuotas;
    }

    /**
     * {@code wsguard.trusted-proxies}: networks (CIDR) whose {@code Forwarded} / {@code X-Forwarded-For} headers are
     * believed; default none, so the socket peer is the client address.
     */
    public List<String> trustedProxies() {
        return trustedProxies;
    }

    /**
     * {@code wsguard.address.ipv6-prefix-length}, default 64: an IPv6 client counts as its network of this many
     * leading bits in every per-address count (handshake rate, message rate limits, connection quota, bans), since
     * one subscriber usually holds a whole /64 and could otherwise take a fresh address for every attempt. IPv4
     * addresses, and IPv4-mapped IPv6 addresses, count one by one. 128 counts each IPv6 address alone.
     */
    public int ipv6PrefixLength() {
        return ipv6PrefixLength;
    }

    /**
     * {@code wsguard.session.max-lifetime}: how long a guarded session may stay open whatever its tokens (default
     * {@code PT24H}; {@code none} for no bound). Closed with 4401 then.
     */
    public Optional<Duration> maxSessionLifetime() {
        return Optional.ofNullable(maxSessionLifetime);
    }

    /** {@code wsguard.auth.mode}: {@link AuthMode#HANDSHAKE} unless configured. */
    public AuthMode authMode() {
        return authMode;
    }

    /**
     * {@code wsguard.auth.deadline} (default {@code PT10S}; at most {@code PT5M}): in
     * {@link AuthMode#FIRST_MESSAGE first-message} mode, how long a new socket may stay open without a valid
     * {@code auth} message.
     */
    public Duration authDeadline() {
        return authDeadline;
    }

    /**
     * {@code wsguard.session.ping-interval}: how often the server pings each guarded session (default none). A
     * well-behaved client answers with a pong, which keeps the session inside its idle timeout through quiet
     * periods; one that never answers is closed by the idle timeout.
     */
    public Optional<Duration> pingInterval() {
        return Optional.ofNullable(pingInterval);
    }

    /**
     * {@code wsguard.outbound.max-bytes} (default 262144): the most UTF-8 bytes queued for one session and not yet
     * written to its socket; a send that would pass it closes the session with 1013 (see {@link Outbound}).
     */
    public long outboundMaxBytes() {
        return outboundMaxBytes;
    }

    /** {@code wsguard.outbound.max-messages} (default 1024): the most messages queued for one session. */
    public int outboundMaxMessages() {
        return outboundMaxMessages;
    }

    /**
     * {@code wsguard.bans.*}: on by default (100 violations tolerated per minute, then a 5 minute ban); empty when
     * {@code wsguard.bans.enabled=false}.
     */
    public Optional<BanSetting> bans() {
        return Optional.ofNullable(bans);
    }

    /** {@code wsguard.cluster.*}: where state shared by several nodes lives; default in this process. */
    public ClusterSetting cluster() {
        return cluster;
    }

    /** {@code wsguard.metrics.enabled}, default true: Micrometer meters when Micrometer is on the class path. */
    public boolean metricsEnabled() {
        return metricsEnabled;
    }

    /**
     * The {@code io.micrometer.core.instrument.MeterRegistry} set with {@link Builder#meterRegistry}, or null for
     * Micrometer's global registry. Typed {@code Object} so that this class loads without Micrometer.
     */
    public Object meterRegistry() {
        return meterRegistry;
    }

    /** Consulted at every handshake and message; default {@link Revocations#shared()}. */
    public RevocationCheck revocations() {
        return revocations;
    }

    /** {@code wsguard.rate-limit.max-keys}, default 100000: tracked users or addresses per limit at most. */
    public int maxRateLimitKeys() {
        return maxRateLimitKeys;
    }

    /**
     * The names of the rate limits this configuration tunes, in code ({@link Builder#rateLimit}) or through
     * {@code wsguard.rate-limit.<name>.*} keys: each must be one an endpoint declares with {@link RateLimit} (or
     * {@code session}), which deployment checks.
     */
    public Set<String> rateLimitNames() {
        Set<String> names = new java.util.TreeSet<>(rateLimits.keySet());
        names.addAll(configuredRateLimits);
        return names;
    }

    /**
     * The setting of the rate limit {@code name}: set in code, else {@code wsguard.rate-limit.<name>.limit-for-period}
     * and {@code .limit-refresh-period}, else {@code declared}.
     */
    public RateLimitSetting rateLimit(String name, RateLimitSetting declared) {
        RateLimitSetting inCode = rateLimits.get(name);
        if (inCode != null) {
            return inCode;
        }
        String prefix = "wsguard.rate-limit." + name + ".";
        int limit = lookup.apply(prefix + "limit-for-period").map(v -> integer(v, prefix + "limit-for-period"))
                .orElse(declared.limitForPeriod());
        Duration period = lookup.apply(prefix + "limit-refresh-period")
                .map(v -> duration(v, prefix + "limit-refresh-period")).orElse(declared.refreshPeriod());
        return new RateLimitSetting(limit, period);
    }

    private static String requireText(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new GuardConfigException(key + " is not set");
        }
        return value.trim();
    }

    private static void requirePositive(Duration d, String key) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new GuardConfigException(key + " must be a positive duration");
        }
    }

    private static String[] split(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }

    private static boolean bool(String v, String key) {
        String t = v.trim().toLowerCase(Locale.ROOT);
        if (t.equals("true") || t.equals("false")) {
            return Boolean.parseBoolean(t);
        }
        throw new GuardConfigException(key + " must be true or false");
    }

    private static Duration duration(String v, String key) {
        try {
            return Duration.parse(v.trim());
        } catch (DateTimeParseException e) {
            throw new GuardConfigException(key + " must be an ISO-8601 duration such as PT10M");
        }
    }

    private static int integer(String v, String key) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new GuardConfigException(key + " must be a whole number");
        }
    }

    private static Duration seconds(String v, String key) {
        try {
            return Duration.ofSeconds(Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            throw new GuardConfigException(key + " must be a whole number of seconds");
        }
    }

    /** Collects settings; {@link #build()} validates them all at once. Not thread-safe. */
    public static final class Builder {
        private final List<String> origins = new ArrayList<>();
        private boolean allowMissingOrigin;
        private final Set<TokenSource> tokenSources = EnumSet.of(TokenSource.HEADER);
        private String queryParameter = "access_token";
        private String tokenHeader = "Authorization";
        private String tokenCookie = "Bearer";
        private String publicKey;
        private String publicKeyLocation;
        private final Set<String> algorithms = new LinkedHashSet<>(List.of("RS256"));
        private String issuer;
        private final Set<String> audiences = new LinkedHashSet<>();
        private Duration clockSkew = Duration.ofSeconds(60);
        private Duration maxTokenLifetime = Duration.ofHours(24);
        private Duration jwksRefresh = Duration.ofMinutes(10);
        private Duration jwksFetchWait = JwtSettings.DEFAULT_JWKS_FETCH_WAIT;
        private int tokenCacheSize = 10_000;
        private Duration tokenCacheTtl = Duration.ofMinutes(5);
        private Clock clock = Clock.systemUTC();
        private final List<SecurityEventListener> listeners = new ArrayList<>();
        private int messageMaxBytes = 65536;
        private boolean closeOnMalformed = true;
        private int maxViolations = 10;
        private Duration violationWindow = Duration.ofMinutes(1);
        private int maxRateLimitKeys = 100_000;
        private final Map<String, RateLimitSetting> rateLimits = new HashMap<>();
        private Function<String, Optional<String>> lookup = key -> Optional.empty();
        private RateLimitSetting handshakeRateLimit = new RateLimitSetting(50, Duration.ofSeconds(10));
        private final Set<String> configuredRateLimits = new java.util.TreeSet<>();

        /** The names of the rate limits tuned through configuration keys (see {@link GuardConfig#rateLimitNames}). */
        private Builder configuredRateLimits(Set<String> names) {
            configuredRateLimits.addAll(names);
            return this;
        }
        private final int[] connectionQuotas = {100, 20, 10_000, 20_000};
        private final List<String> trustedProxies = new ArrayList<>();
        private int ipv6PrefixLength = 64;
        private RevocationCheck revocations = Revocations.shared();
        private Duration maxSessionLifetime = Duration.ofHours(24);
        private AuthMode authMode = AuthMode.HANDSHAKE;
        private Duration authDeadline = Duration.ofSeconds(10);
        private Duration pingInterval;
        private ClusterSetting cluster = ClusterSetting.IN_PROCESS;
        private long outboundMaxBytes = 256 * 1024;
        private int outboundMaxMessages = 1024;

        /** Where sessions authenticate (default {@link AuthMode#HANDSHAKE}). */
        public Builder authMode(AuthMode mode) {
            this.authMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** First-message mode: the time a new socket has to authenticate (default 10 s); null refuses the mode. */
        public Builder authDeadline(Duration deadline) {
            this.authDeadline = deadline;
            return this;
        }

        /** How often every guarded session is pinged (default: never); null for never. */
        public Builder pingInterval(Duration interval) {
            this.pingInterval = interval;
            return this;
        }

        /** The most bytes queued for one session before it is closed with 1013 (default 256 KiB). */
        public Builder outboundMaxBytes(long bytes) {
            this.outboundMaxBytes = bytes;
            return this;
        }

        /** The most messages queued for one session before it is closed with 1013 (default 1024). */
        public Builder outboundMaxMessages(int messages) {
            this.outboundMaxMessages = messages;
            return this;
        }

        private boolean bansEnabled = true;
        private int banMaxViolations = 100;
        private Duration banWindow = Duration.ofMinutes(1);
        private Duration banDuration = Duration.ofMinutes(5);
        private boolean metricsEnabled = true;
        private Object meterRegistry;

        /**
         * Bans a client address or user for {@code duration} once it commits more than {@code maxViolations}
         * violations within {@code window} (default 100 per minute, 5 minutes); turns bans on.
         */
        public Builder bans(int maxViolations, Duration window, Duration duration) {
            this.banMaxViolations = maxViolations;
            this.banWindow = window;
            this.banDuration = duration;
            this.bansEnabled = true;
            return this;
        }

        /** Whether repeated violations lead to temporary bans (default true). */
        public Builder bansEnabled(boolean enabled) {
            this.bansEnabled = enabled;
            return this;
        }

        /** Whether Micrometer meters are kept when Micrometer is on the class path (default true). */
        public Builder metricsEnabled(boolean enabled) {
            this.metricsEnabled = enabled;
            return this;
        }

        /**
         * The {@code io.micrometer.core.instrument.MeterRegistry} to register wsguard's meters in (default:
         * Micrometer's {@code Metrics.globalRegistry}). Typed {@code Object} so that configuration code loads
         * without Micrometer; anything but a {@code MeterRegistry} fails {@link #build()}.
         */
        public Builder meterRegistry(Object registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** The longest a guarded session may stay open (default 24 h); null for no bound. */
        public Builder maxSessionLifetime(Duration lifetime) {
            this.maxSessionLifetime = lifetime;
            return this;
        }

        /** Replaces the revocation check (default: {@link Revocations#shared()}). */
        public Builder revocations(RevocationCheck check) {
            this.revocations = Objects.requireNonNull(check, "check");
            return this;
        }

        /**
         * Replaces the proxies (numeric addresses or CIDR networks) whose forwarding headers name the client
         * (default none).
         */
        public Builder trustedProxies(String... cidrs) {
            trustedProxies.clear();
            trustedProxies.addAll(Arrays.asList(cidrs));
            return this;
        }

        /**
         * The leading bits of an IPv6 client address that per-address counts key on, 1 to 128 (default 64); see
         * {@link GuardConfig#ipv6PrefixLength()}.
         */
        public Builder ipv6PrefixLength(int bits) {
            this.ipv6PrefixLength = bits;
            return this;
        }

        /** Open connections allowed per client address, per user, per endpoint and in the process. */
        public Builder connectionQuotas(int perAddress, int perUser, int perEndpoint, int total) {
            connectionQuotas[0] = perAddress;
            connectionQuotas[1] = perUser;
            connectionQuotas[2] = perEndpoint;
            connectionQuotas[3] = total;
            return this;
        }

        /** Handshakes allowed per client address and period (default 50 per 10 s). */
        public Builder handshakeRateLimit(int limitForPeriod, Duration refreshPeriod) {
            this.handshakeRateLimit = new RateLimitSetting(limitForPeriod, refreshPeriod);
            return this;
        }

        private Builder() {
        }

        /** The largest message accepted, in bytes (default 65536). */
        public Builder messageMaxBytes(int bytes) {
            this.messageMaxBytes = bytes;
            return this;
        }

        /** Whether a malformed message closes the session with 1007 (default) or gets an error frame. */
        public Builder closeOnMalformed(boolean close) {
            this.closeOnMalformed = close;
            return this;
        }

        /** Refused messages within the violation window before the session is closed (default 10). */
        public Builder maxViolations(int count) {
            this.maxViolations = count;
            return this;
        }

        public Builder violationWindow(Duration window) {
            this.violationWindow = Objects.requireNonNull(window, "window");
            return this;
        }

        /** How many users or addresses one rate limit tracks at most (default 100000). */
        public Builder maxRateLimitKeys(int keys) {
            this.maxRateLimitKeys = keys;
            return this;
        }

        /** Overrides the rate limit {@code name} declared by {@link RateLimit}. */
        public Builder rateLimit(String name, int limitForPeriod, Duration refreshPeriod) {
            rateLimits.put(name, new RateLimitSetting(limitForPeriod, refreshPeriod));
            return this;
        }

        /**
         * Replaces the allowed origins: {@code scheme://host[:port]}, or {@code scheme://*.domain[:port]} (default
         * none, which {@link #build()} refuses).
         */
        public Builder allowedOrigins(String... entries) {
            origins.clear();
            origins.addAll(Arrays.asList(entries));
            return this;
        }

        /** Lets requests without an {@code Origin} header through the origin check (non-browser clients). */
        public Builder allowMissingOrigin(boolean allow) {
            this.allowMissingOrigin = allow;
            return this;
        }

        /** Replaces the enabled token sources (default: {@link TokenSource#HEADER} only). */
        public Builder tokenSources(TokenSource... sources) {
            tokenSources.clear();
            tokenSources.addAll(Arrays.asList(sources));
            return this;
        }

        public Builder queryParameter(String name) {
            this.queryParameter = name;
            return this;
        }

        public Builder tokenHeader(String name) {
            this.tokenHeader = name;
            return this;
        }

        public Builder tokenCookie(String name) {
            this.tokenCookie = name;
            return this;
        }

        /** Inline key material: PEM public key or certificate, JWK, or JWKS. */
        public Builder publicKey(String keyText) {
            this.publicKey = keyText;
            return this;
        }

        /** Where the key material is: a file path, {@code classpath:}, {@code file:} or an http(s) URL. */
        public Builder publicKeyLocation(String location) {
            this.publicKeyLocation = location;
            return this;
        }

        /** Replaces the algorithm allowlist (default RS256). */
        public Builder algorithms(String... names) {
            algorithms.clear();
            for (String name : names) {
                algorithms.add(name.trim());
            }
            return this;
        }

        public Builder issuer(String issuer) {
            this.issuer = issuer;
            return this;
        }

        /** Replaces the accepted {@code aud} values (default none, which {@link #build()} refuses). */
        public Builder audiences(String... audiences) {
            this.audiences.clear();
            this.audiences.addAll(Arrays.asList(audiences));
            return this;
        }

        public Builder clockSkew(Duration skew) {
            this.clockSkew = Objects.requireNonNull(skew, "skew");
            return this;
        }

        public Builder maxTokenLifetime(Duration lifetime) {
            this.maxTokenLifetime = Objects.requireNonNull(lifetime, "lifetime");
            return this;
        }

        public Builder jwksRefresh(Duration refresh) {
            this.jwksRefresh = Objects.requireNonNull(refresh, "refresh");
            return this;
        }

        /**
         * Longest a handshake waits for a key fetch (default 500 ms, between zero and 5 s): one it started itself,
         * because its token names a {@code kid} the keys in memory lack or none are usable, or the first fetch after
         * deployment. Every other handshake is answered from the keys in memory at once; a fetch that takes longer
         * goes on in the background for later handshakes.
         */
        public Builder jwksFetchWait(Duration wait) {
            this.jwksFetchWait = Objects.requireNonNull(wait, "wait");
            return this;
        }

        /**
         * How many verified tokens are remembered, so a client reconnecting with the same token skips the signature
         * check (default 10000, a few KB each; 0 turns the cache off). Revocation, origin, quotas and expiry are
         * checked on every handshake all the same.
         */
        public Builder tokenCacheSize(int entries) {
            this.tokenCacheSize = entries;
            return this;
        }

        /** Longest a cached verdict is reused (default 5 minutes); never beyond the token's {@code exp}. */
        public Builder tokenCacheTtl(Duration ttl) {
            this.tokenCacheTtl = Objects.requireNonNull(ttl, "ttl");
            return this;
        }

        /** The time source for token checks; for tests. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Where state shared by several nodes lives (default {@link ClusterSetting#IN_PROCESS}). */
        public Builder cluster(ClusterSetting setting) {
            this.cluster = Objects.requireNonNull(setting, "setting");
            return this;
        }

        /** Adds a listener that receives every security event, in addition to the audit log. */
        public Builder listener(SecurityEventListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * @throws GuardConfigException when the settings would leave an endpoint open or cannot be honoured
         */
        public GuardConfig build() {
            return new GuardConfig(this);
        }
    }
}
