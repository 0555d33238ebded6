package dev.wsguard.internal.jwt;

import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import dev.wsguard.Rejection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * The claim rules, run by the Nimbus processor only after a signature has verified. Each rule has one
 * {@link Rejection}; the first failing rule wins, in the order: required claims, issuer, audience, expiry,
 * not-before, issued-at, lifetime. Immutable and thread-safe.
 */
final class ClaimRules implements JWTClaimsSetVerifier<SecurityContext> {

    /**
     * Stands in for a payload that is a JSON object but whose registered claims Nimbus cannot type (for example
     * {@code "exp":"soon"}). Compared by identity; never handed out.
     */
    static final JWTClaimsSet UNTYPED = new JWTClaimsSet.Builder().build();

    private final String issuer;
    private final Set<String> audiences;
    private final Duration skew;
    /** In whole milliseconds (saturated): token times are whole milliseconds, so the verdicts are as with Durations. */
    private final long maxLifetimeMillis;
    private final Clock clock;

    ClaimRules(String issuer, Set<String> audiences, Duration skew, Duration maxLifetime, Clock clock) {
        this.issuer = issuer;
        this.audiences = Set.copyOf(audiences);
        this.skew = skew;
        this.maxLifetimeMillis = saturatedMillis(maxLifetime);
        this.clock = clock;
    }

    @Override
    public void verify(JWTClaimsSet claims, SecurityContext context) throws RejectedClaimsException {
        if (claims == UNTYPED) {
            throw new RejectedClaimsException(Rejection.TOKEN_CLAIM_MISSING);
        }
        Date exp = claims.getExpirationTime();
        Date iat = claims.getIssueTime();
        String iss = claims.getIssuer();
        List<String> aud = claims.getAudience();
        if (exp == null || iat == null || isBlank(claims.getSubject()) || isBlank(iss) || !hasAudience(aud)) {
            throw new RejectedClaimsException(Rejection.TOKEN_CLAIM_MISSING);
        }
        if (!issuer.equals(iss)) {
            throw new RejectedClaimsException(Rejection.TOKEN_ISSUER_MISMATCH);
        }
        if (!hasAllowedAudience(aud)) {
            throw new RejectedClaimsException(Rejection.TOKEN_AUDIENCE_MISMATCH);
        }
        Instant now = clock.instant();
        Instant expiresAt = exp.toInstant();
        Instant issuedAt = iat.toInstant();
        if (now.isAfter(expiresAt.plus(skew))) {
            throw new RejectedClaimsException(Rejection.TOKEN_EXPIRED);
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(skew).isBefore(nbf.toInstant())) {
            throw new RejectedClaimsException(Rejection.TOKEN_NOT_YET_VALID);
        }
        if (issuedAt.isAfter(now.plus(skew))) {
            throw new RejectedClaimsException(Rejection.TOKEN_ISSUED_IN_FUTURE);
        }
        if (longerThanAllowed(iat.getTime(), exp.getTime())) {
            throw new RejectedClaimsException(Rejection.TOKEN_LIFETIME_TOO_LONG);
        }
    }

    /** In milliseconds: {@code Duration.between} took about 2 % of a verified token's time. */
    private boolean longerThanAllowed(long issuedAt, long expiresAt) {
        long lifetime;
        try {
            lifetime = Math.subtractExact(expiresAt, issuedAt);
        } catch (ArithmeticException e) {
            return expiresAt > issuedAt;
        }
        return lifetime > maxLifetimeMillis;
    }

    private static long saturatedMillis(Duration duration) {
        try {
            return duration.toMillis();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static boolean hasAudience(List<String> aud) {
        // Nimbus keeps null entries of an aud array; an audience must be a non-blank string.
        if (aud == null) {
            return false;
        }
        for (String a : aud) {
            if (a != null && !a.isBlank()) {
                return true;
            }
        }
        return false;
    }

    /** Loops, not streams: this runs on every verified handshake. */
    private boolean hasAllowedAudience(List<String> aud) {
        for (String a : aud) {
            if (a != null && audiences.contains(a)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
