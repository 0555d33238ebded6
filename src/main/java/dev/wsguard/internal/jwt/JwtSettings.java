package dev.wsguard.internal.jwt;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * What token verification needs, already parsed from configuration.
 *
 * @param publicKey         inline key material ({@code mp.jwt.verify.publickey}): PEM, JWK or JWKS; may be null
 * @param publicKeyLocation {@code mp.jwt.verify.publickey.location}: file path, {@code file:}, {@code classpath:}
 *                          or http(s) URL of a PEM, JWK or JWKS; may be null (exactly one of the two is set)
 * @param algorithms        allowed JWS algorithms, e.g. RS256; never empty, never none or HS*
 * @param issuer            required {@code iss}
 * @param audiences         accepted {@code aud} values; never empty
 * @param clockSkew         tolerance for exp, nbf and iat
 * @param maxLifetime       upper bound for {@code exp - iat}
 * @param jwksRefresh       how long keys fetched from a URL are cached before a refresh
 * @param clock             time source
 */
public record JwtSettings(String publicKey, String publicKeyLocation, Set<String> algorithms, String issuer,
                          Set<String> audiences, Duration clockSkew, Duration maxLifetime, Duration jwksRefresh,
                          Clock clock) {
}
