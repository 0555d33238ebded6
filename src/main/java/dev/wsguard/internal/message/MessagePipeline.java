package dev.wsguard.internal.message;

import dev.wsguard.GuardConfig;
import dev.wsguard.RateLimit;
import dev.wsguard.Rejection;
import dev.wsguard.WsGuard;
import dev.wsguard.internal.cluster.ClusterStores;
import dev.wsguard.message.Decoded;
import dev.wsguard.message.StrictJsonReader;
import io.github.resilience4j.ratelimiter.RateLimiter;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Duration;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks every incoming message of one endpoint passes, cheapest first, deciding without acting: token expiry,
 * size, the session's flood limit, strict decoding with validation, the type's route, revocation, authorization
 * ({@code @RolesAllowed}, {@code @PermitAll}, {@code @DenyAll}, {@code @RequiresScope}), the {@code @Channel} rule and
 * the declared rate limits. The answer is a {@link Verdict}. Built once per endpoint and configuration; the only
 * state it changes is rate-limit permits. Thread-safe.
 */
final class MessagePipeline {

    private static final GuardConfig.RateLimitSetting SESSION_DEFAULT =
            new GuardConfig.RateLimitSetting(50, Duration.ofSeconds(1));
    private static final StrictJsonReader<AuthMessage> AUTH_READER = StrictJsonReader.of(AuthMessage.class);

    private final EndpointModel model;
    private final GuardConfig config;
    private final Limit sessionLimit;
    private final Map<EndpointModel.Route, Limit[]> limits = new IdentityHashMap<>();
    private final boolean usesAddress;

    /** @param keysEvicted counts the per-user and per-address limiters evicted from full tables */
    MessagePipeline(EndpointModel model, GuardConfig config, java.util.concurrent.atomic.LongAdder keysEvicted) {
        this.model = model;
        this.config = config;
        int index = 0;
        this.sessionLimit = new Limit(EndpointModel.SESSION_LIMIT, RateLimit.Key.SESSION,
                config.rateLimit(EndpointModel.SESSION_LIMIT, SESSION_DEFAULT), config.maxRateLimitKeys(), index++,
                keysEvicted);
        Map<String, Limit> byName = new HashMap<>();
        List<EndpointModel.Route> all = new java.util.ArrayList<>(model.routes().values());
        if (model.binary() != null) {
            all.add(model.binary());
        }
        for (EndpointModel.Route route : all) {
            Limit[] own = new Limit[route.declaredLimits().size()];
            for (int i = 0; i < own.length; i++) {
                RateLimit declared = route.declaredLimits().get(i);
                Limit limit = byName.get(declared.name());
                if (limit == null) {
                    GuardConfig.RateLimitSetting setting = EndpointModel.setting(declared, config);
                    limit = new Limit(declared.name(), declared.per(), setting, config.maxRateLimitKeys(), index++,
                            keysEvicted);
                    if (declared.per() != RateLimit.Key.SESSION) {
                        limit.share(ClusterStores.of(config.cluster()).limiter(declared.name(), setting));
                    }
                    byName.put(declared.name(), limit);
                }
                own[i] = limit;
            }
            limits.put(route, own);
        }
        this.usesAddress = byName.values().stream().anyMatch(limit -> limit.key == RateLimit.Key.ADDRESS);
    }

    /** Whether a declared limit counts per client address: only then does a check need the address. */
    boolean usesAddress() {
        return usesAddress;
    }

    EndpointModel model() {
        return model;
    }

    /** Takes {@code count} permits of the session's flood limit, one at a time; returns how many were refused. */
    int overFloodLimit(SessionState state, int count) {
        RateLimiter limiter = state.limiter(sessionLimit);
        for (int i = 0; i < count; i++) {
            if (!limiter.acquirePermission()) {
                return count - i;
            }
        }
        return 0;
    }

    /** Checks one whole text message of an authenticated session. */
    Verdict text(String text, JsonWebToken caller, String addressKey, SessionState state) {
        if (expired(caller)) {
            // The timer may be a few milliseconds late: nothing is processed for an expired token.
            return new Verdict.Close(Rejection.TOKEN_EXPIRED, null);
        }
        if (tooBig(text, config.messageMaxBytes())) {
            return new Verdict.Close(Rejection.MESSAGE_TOO_BIG, null);
        }
        if (!state.limiter(sessionLimit).acquirePermission()) {
            return new Verdict.Throttle(null);
        }
        StrictJsonReader<?> reader = model.reader();
        if (reader == null) {
            return new Verdict.Close(Rejection.MESSAGE_KIND_NOT_ACCEPTED, null);
        }
        Decoded<?> decoded = reader.read(text);
        if (decoded instanceof Decoded.Malformed<?> malformed) {
            if (malformed.detail() == Decoded.Detail.UNKNOWN_TYPE
                    && AUTH_READER.read(text) instanceof Decoded.Ok<AuthMessage> auth) {
                return new Verdict.Refresh(((AuthMessage.Auth) auth.value()).token());
            }
            return config.closeOnMalformed() ? new Verdict.Close(Rejection.MESSAGE_MALFORMED, null)
                    : new Verdict.Refuse(Rejection.MESSAGE_MALFORMED, null);
        }
        if (decoded instanceof Decoded.Invalid<?>) {
            return new Verdict.Refuse(Rejection.MESSAGE_INVALID, null);
        }
        Object message = ((Decoded.Ok<?>) decoded).value();
        EndpointModel.Route route = model.routes().get(message.getClass());
        if (route == null) {
            return new Verdict.Refuse(Rejection.MESSAGE_TYPE_NOT_ALLOWED, null);
        }
        return admit(route, message, caller, addressKey, state);
    }

    /** Checks one whole binary message of {@code bytes} of an authenticated session. */
    Verdict binary(Object data, long bytes, JsonWebToken caller, String addressKey, SessionState state) {
        if (expired(caller)) {
            return new Verdict.Close(Rejection.TOKEN_EXPIRED, null);
        }
        if (bytes > config.messageMaxBytes()) {
            return new Verdict.Close(Rejection.MESSAGE_TOO_BIG, null);
        }
        if (!state.limiter(sessionLimit).acquirePermission()) {
            return new Verdict.Throttle(null);
        }
        EndpointModel.Route route = model.binary();
        if (route == null) {
            return new Verdict.Close(Rejection.MESSAGE_KIND_NOT_ACCEPTED, null);
        }
        return admit(route, data, caller, addressKey, state);
    }

    /** Revocation, authorization, channel and rate limits for a decoded message on its route. */
    private Verdict admit(EndpointModel.Route route, Object message, JsonWebToken caller, String addressKey,
                          SessionState state) {
        if (config.revocations().isRevoked(caller)) {
            return new Verdict.Close(Rejection.TOKEN_REVOKED, route.alias());
        }
        Rejection denied = route.rule().check(caller.getGroups(), WsGuard.scopes(caller));
        if (denied == null && route.channel() != null && !route.channel().allows(message, caller)) {
            denied = Rejection.CHANNEL_FORBIDDEN;
        }
        if (denied != null) {
            return new Verdict.Refuse(denied, route.alias());
        }
        for (Limit limit : limits.get(route)) {
            if (!acquire(limit, state, caller, addressKey)) {
                return new Verdict.Throttle(route.alias());
            }
        }
        return new Verdict.Deliver(route, message);
    }

    /**
     * Whether {@code identity} may receive a message on {@code channel} now, by the rules under which it could send
     * {@code type}: the authorization step of {@link #admit}, with the channel given by name.
     *
     * @return null when it may, else the reason it may not
     */
    Rejection mayReceive(Class<?> type, String channel, JsonWebToken identity) {
        EndpointModel.Route route = model.routes().get(type);
        if (route == null) {
            return Rejection.MESSAGE_TYPE_NOT_ALLOWED;
        }
        Rejection denied = route.rule().check(identity.getGroups(), WsGuard.scopes(identity));
        if (denied == null && (route.channel() == null || !route.channel().allowsChannel(channel, identity))) {
            denied = Rejection.CHANNEL_FORBIDDEN;
        }
        return denied;
    }

    private boolean acquire(Limit limit, SessionState state, JsonWebToken caller, String addressKey) {
        return switch (limit.key) {
            case SESSION -> state.limiter(limit).acquirePermission();
            case USER -> limit.acquireShared(caller.getSubject());
            case ADDRESS -> limit.acquireShared(addressKey == null ? "unknown" : addressKey);
        };
    }

    static boolean expired(JsonWebToken identity) {
        long exp = identity.getExpirationTime();
        return exp > 0 && exp * 1000 <= System.currentTimeMillis();
    }

    static boolean tooBig(String text, int max) {
        int chars = text.length();
        if (chars > max) {
            return true;
        }
        if ((long) chars * 3 <= max) {
            return false;
        }
        return utf8Length(text) > max;
    }

    static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    /** Reads a first-message-mode auth message; null when {@code text} is not one. */
    static String authToken(String text) {
        return AUTH_READER.read(text) instanceof Decoded.Ok<AuthMessage> auth
                ? ((AuthMessage.Auth) auth.value()).token() : null;
    }
}
