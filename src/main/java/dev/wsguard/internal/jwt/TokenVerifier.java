package dev.wsguard.internal.jwt;

import dev.wsguard.GuardConfig.JwtSettings;
import com.nimbusds.jose.Header;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.wsguard.GuardConfigException;
import dev.wsguard.Rejection;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Verifies bearer tokens (compact JWS) against configured keys and the MP-JWT claim rules.
 *
 * <p>Threats: forged or tampered tokens, algorithm confusion ({@code alg=none}, HMAC signed with a public key),
 * weak keys, tokens for another issuer or audience, replay of expired tokens, and absurdly long-lived tokens. Each
 * refusal is exactly one {@link Rejection}, cheapest checks first: shape and size ({@code TOKEN_MALFORMED}), then
 * the header algorithm ({@code TOKEN_ALGORITHM_NOT_ALLOWED}) before any signature work, then key selection
 * ({@code TOKEN_KEY_UNKNOWN}, {@code TOKEN_KEY_TOO_WEAK}), the signature ({@code TOKEN_SIGNATURE_INVALID}) and only
 * then the claims ({@code TOKEN_CLAIM_MISSING}, {@code TOKEN_ISSUER_MISMATCH}, {@code TOKEN_AUDIENCE_MISMATCH},
 * {@code TOKEN_EXPIRED}, {@code TOKEN_NOT_YET_VALID}, {@code TOKEN_ISSUED_IN_FUTURE}, {@code TOKEN_LIFETIME_TOO_LONG}).
 *
 * <p>There are no permissive defaults: keys, algorithms (RS*, PS*, ES* only), issuer and audiences must all be
 * configured, and the constructor throws {@link GuardConfigException} for anything missing, unreadable or weak
 * (RSA below 2048 bits). Tokens longer than {@value #MAX_TOKEN_LENGTH} characters are refused unread. Keys from an
 * http(s) JWKS ({@link RemoteKeySet}) are fetched in the background from construction on (a key server that is down
 * then fails nothing: tokens are refused until it answers), kept for {@code jwksRefresh} and then refreshed
 * in the background; a token naming a {@code kid} they lack may start a refresh (at most one at a time, two per
 * window) and waits for it at most {@code jwksFetchWait}; no request ever waits on the key server beyond that. RSA
 * keys under 2048 bits found there are never used. The {@code typ} header is not constrained, as in MP-JWT
 * ({@code JWT} and {@code at+jwt} both pass).
 *
 * <p>Optionally remembers valid verdicts ({@link VerifiedTokenCache}: keyed by the token's SHA-256, never past the
 * token's {@code exp} or the cache ttl, dropped when the key set changes), so a reconnecting client costs no second
 * signature verification.
 *
 * <p>{@link #verify(String)} never throws. Thread-safe; one instance serves all requests.
 */
public final class TokenVerifier {

    /** Longest token accepted, in characters. */
    public static final int MAX_TOKEN_LENGTH = 8192;

    private static final Set<JWSAlgorithm> SUPPORTED = Set.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private static final Map<Rejection, Verification> INVALID = new EnumMap<>(Rejection.class);

    static {
        for (Rejection reason : Rejection.values()) {
            INVALID.put(reason, new Verification.Invalid(reason));
        }
    }

    private static final System.Logger LOG = System.getLogger(TokenVerifier.class.getName());

    private final Set<JWSAlgorithm> algorithms;
    private final DefaultJWTProcessor<SecurityContext> processor;
    private final KeySelection keys;
    /** Null when caching is off. */
    private final VerifiedTokenCache cache;

    /**
     * Validates the settings and loads the keys.
     *
     * @param settings the verification settings
     * @throws GuardConfigException if no usable key, algorithm, issuer or audience is configured, a key location
     *                              cannot be read or parsed, or a configured RSA key is shorter than 2048 bits
     */
    public TokenVerifier(JwtSettings settings) {
        this(settings, 0, null);
    }

    /**
     * Validates the settings and loads the keys; verdicts on valid tokens are cached.
     *
     * @param settings  the verification settings
     * @param cacheSize most verified tokens remembered ({@link VerifiedTokenCache}); 0 turns the cache off
     * @param cacheTtl  longest a verdict is reused, whatever the token's {@code exp}; ignored when the size is 0
     * @throws GuardConfigException as {@link #TokenVerifier(JwtSettings)}, or for a negative size or a missing or
     *                              non-positive ttl with a positive size
     */
    public TokenVerifier(JwtSettings settings, int cacheSize, Duration cacheTtl) {
        if (settings == null) {
            throw new GuardConfigException("JWT settings are required");
        }
        this.algorithms = checkAlgorithms(settings.algorithms());
        if (settings.issuer() == null || settings.issuer().isBlank()) {
            throw new GuardConfigException("mp.jwt.verify.issuer is required and must not be blank");
        }
        Set<String> audiences = settings.audiences();
        if (audiences == null || audiences.isEmpty()
                || audiences.stream().anyMatch(a -> a == null || a.isBlank())) {
            throw new GuardConfigException("mp.jwt.verify.audiences is required: at least one non-blank audience");
        }
        Duration skew = settings.clockSkew();
        if (skew == null || skew.isNegative()) {
            throw new GuardConfigException("mp.jwt.verify.clock.skew is required and must not be negative");
        }
        Duration maxLifetime = settings.maxLifetime();
        if (maxLifetime == null || maxLifetime.isZero() || maxLifetime.isNegative()) {
            throw new GuardConfigException("the maximum token lifetime is required and must be positive");
        }
        if (settings.clock() == null) {
            throw new GuardConfigException("a clock is required");
        }

        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        // MP-JWT does not constrain typ; Nimbus by default refuses e.g. "at+jwt" (RFC 9068 access tokens).
        p.setJWSTypeVerifier((type, context) -> { });
        this.keys = keySelection(settings, algorithms);
        p.setJWSKeySelector(keys);
        p.setJWTClaimsSetVerifier(new ClaimRules(settings.issuer(), audiences, skew, maxLifetime, settings.clock()));
        this.processor = p;
        if (cacheSize < 0) {
            throw new GuardConfigException("wsguard.token.cache-size must not be negative");
        }
        if (cacheSize > 0 && (cacheTtl == null || cacheTtl.isNegative() || cacheTtl.toMillis() < 1)) {
            throw new GuardConfigException("wsguard.token.cache-ttl must be positive");
        }
        this.cache = cacheSize == 0 ? null : new VerifiedTokenCache(cacheSize, cacheTtl, settings.clock());
        // Last: only a verifier that exists starts fetching.
        keys.prefetch();
    }

    /**
     * Verifies one bearer token.
     *
     * @param token the compact JWS, without a {@code Bearer} prefix; any value, including null
     * @return {@link Verification.Valid} with the identity, or {@link Verification.Invalid} with the reason
     */
    public Verification verify(String token) {
        return verify(token, null);
    }

    /** As {@link #verify(String)}, with the token's digest when the caller already has it (null otherwise). */
    public Verification verify(String token, TokenDigest digest) {
        try {
            return check(token, digest);
        } catch (RuntimeException e) {
            // Unforeseen parser behaviour on hostile input: fail closed.
            return INVALID.get(Rejection.TOKEN_MALFORMED);
        }
    }

    private Verification check(String token, TokenDigest digest) {
        if (token == null || token.length() > MAX_TOKEN_LENGTH) {
            return INVALID.get(Rejection.TOKEN_MALFORMED);
        }
        TokenDigest cacheKey = null;
        if (cache != null) {
            // Only tokens that passed every check below are in the cache, so a hit needs none of them again.
            cacheKey = digest != null ? digest : TokenDigest.of(token);
            VerifiedToken hit = cache.get(cacheKey, keys.keySetVersion());
            if (hit != null) {
                return new Verification.Valid(hit);
            }
        }
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (first <= 0 || second <= first + 1 || token.indexOf('.', second + 1) >= 0
                || !isBase64Url(token, 0, token.length())) {
            return INVALID.get(Rejection.TOKEN_MALFORMED);
        }
        if (first % 4 == 1 || (second - first - 1) % 4 == 1 || (token.length() - second - 1) % 4 == 1) {
            // No base64url text has such a length (Nimbus's decoder would read one anyway).
            return INVALID.get(Rejection.TOKEN_MALFORMED);
        }
        Base64URL headerPart = new PublicPart(token.substring(0, first));
        Base64URL payloadPart = new Base64URL(token.substring(first + 1, second));
        Base64URL signaturePart = new PublicPart(token.substring(second + 1));

        // The JWS reads its header once; only a header it refuses is read again, to name the reason.
        ParsedJWT jwt;
        try {
            jwt = new ParsedJWT(headerPart, payloadPart, signaturePart);
        } catch (ParseException | IllegalArgumentException e) {
            return notJws(token, first, headerPart);
        }
        JWSHeader jwsHeader = jwt.getHeader();
        if (!algorithms.contains(jwsHeader.getAlgorithm())) {
            return INVALID.get(Rejection.TOKEN_ALGORITHM_NOT_ALLOWED);
        }
        // We implement no JWS extensions, so a critical one makes the token unusable (RFC 7515, 4.1.11).
        if (jwsHeader.getCriticalParams() != null && !jwsHeader.getCriticalParams().isEmpty()) {
            return INVALID.get(Rejection.TOKEN_MALFORMED);
        }
        if (signaturePart.toString().isEmpty()) {
            return INVALID.get(Rejection.TOKEN_MALFORMED);
        }

        Map<String, Object> payload;
        try {
            payload = JSONObjectUtils.parse(decoded(token, first + 1, second));
        } catch (ParseException | IllegalArgumentException e) {
            return INVALID.get(Rejection.TOKEN_MALFORMED);
        }
        jwt.claims = typedClaims(payload);

        try {
            KeySelection.KeySetUsed used = new KeySelection.KeySetUsed();
            VerifiedToken verified = new VerifiedToken(processor.process(jwt, used));
            if (cache != null) {
                cache.put(cacheKey, verified, used.version());
            }
            return new Verification.Valid(verified);
        } catch (RejectedKeyException e) {
            return INVALID.get(e.reason());
        } catch (RejectedClaimsException e) {
            return INVALID.get(e.reason());
        } catch (KeySourceException e) {
            return INVALID.get(Rejection.TOKEN_KEY_UNKNOWN);
        } catch (BadJOSEException | JOSEException e) {
            // BadJWSException ("Invalid signature") or a verifier failure on a well-formed token: after key
            // selection, so the signature is what failed.
            return INVALID.get(Rejection.TOKEN_SIGNATURE_INVALID);
        }
    }

    /**
     * Why a token Nimbus would not read as a JWS is refused, in the order of the checks above: an algorithm never
     * allowed ({@code alg=none}, or a JWS algorithm not configured, whatever else is wrong), else malformed
     * (unreadable, a JWE header, no algorithm, an empty signature).
     */
    private Verification notJws(String token, int first, Base64URL headerPart) {
        Header header;
        try {
            header = Header.parse(decoded(token, 0, first), headerPart);
        } catch (ParseException | IllegalArgumentException e) {
            return INVALID.get(Rejection.TOKEN_MALFORMED);
        }
        boolean refusedAlgorithm = header instanceof PlainHeader
                || header instanceof JWSHeader jws && !algorithms.contains(jws.getAlgorithm());
        return INVALID.get(refusedAlgorithm ? Rejection.TOKEN_ALGORITHM_NOT_ALLOWED : Rejection.TOKEN_MALFORMED);
    }

    /**
     * The UTF-8 text that a base64url part of the token encodes, with the JDK's decoder: header and payload are not
     * secret, so they need none of the constant-time decoding Nimbus applies to every part (about 5 % of a verified
     * handshake's samples). A part whose length cannot be base64 is refused ({@link IllegalArgumentException}).
     */
    private static String decoded(String token, int from, int to) {
        byte[] ascii = token.substring(from, to).getBytes(StandardCharsets.ISO_8859_1);
        return new String(URL_DECODER.decode(ascii), StandardCharsets.UTF_8);
    }

    private static final java.util.Base64.Decoder URL_DECODER = java.util.Base64.getUrlDecoder();

    private static boolean isBase64Url(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= TOKEN_CHARS.length || !TOKEN_CHARS[c]) {
                return false;
            }
        }
        return true;
    }

    /** The characters of a compact JWS: base64url and the two dots. */
    private static final boolean[] TOKEN_CHARS = new boolean[128];

    static {
        for (char c = 'A'; c <= 'Z'; c++) {
            TOKEN_CHARS[c] = true;
            TOKEN_CHARS[Character.toLowerCase(c)] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            TOKEN_CHARS[c] = true;
        }
        TOKEN_CHARS['-'] = true;
        TOKEN_CHARS['_'] = true;
        TOKEN_CHARS['.'] = true;
    }

    private static Set<JWSAlgorithm> checkAlgorithms(Set<String> names) {
        if (names == null || names.isEmpty()) {
            throw new GuardConfigException("mp.jwt.verify.publickey.algorithm is required: one or more of "
                    + "RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512");
        }
        Set<JWSAlgorithm> result = new LinkedHashSet<>();
        for (String name : names) {
            if (name == null || name.isBlank()) {
                throw new GuardConfigException("mp.jwt.verify.publickey.algorithm contains a blank entry");
            }
            String upper = name.strip().toUpperCase(Locale.ROOT);
            if (upper.equals("NONE")) {
                throw new GuardConfigException("algorithm 'none' is never allowed: it means unsigned tokens");
            }
            if (upper.startsWith("HS")) {
                throw new GuardConfigException("HMAC algorithms (" + name.strip() + ") are not supported: "
                        + "a shared secret cannot be a public verification key");
            }
            JWSAlgorithm alg = JWSAlgorithm.parse(name.strip());
            if (!SUPPORTED.contains(alg)) {
                throw new GuardConfigException("unsupported algorithm '" + name.strip() + "'; use RS256, RS384, "
                        + "RS512, PS256, PS384, PS512, ES256, ES384 or ES512");
            }
            result.add(alg);
        }
        return Set.copyOf(result);
    }

    private static KeySelection keySelection(JwtSettings settings, Set<JWSAlgorithm> algorithms) {
        String inline = blankToNull(settings.publicKey());
        String location = blankToNull(settings.publicKeyLocation());
        if (inline == null && location == null) {
            throw new GuardConfigException("no verification key: set " + KeyMaterial.INLINE + " or "
                    + KeyMaterial.LOCATION);
        }
        if (inline != null && location != null) {
            throw new GuardConfigException("set only one of " + KeyMaterial.INLINE + " and " + KeyMaterial.LOCATION);
        }
        if (location != null && KeyMaterial.kindOf(location) == KeyMaterial.Kind.HTTP) {
            return KeySelection.remote(remoteKeys(location, settings.jwksRefresh(), settings.jwksFetchWait()),
                    algorithms);
        }
        List<JWK> keys = inline != null
                ? KeyMaterial.parse(inline, KeyMaterial.INLINE)
                : KeyMaterial.parse(KeyMaterial.read(location), KeyMaterial.LOCATION + " '" + location + "'");
        checkStaticKeys(keys, algorithms);
        return KeySelection.of(keys, algorithms);
    }

    private static void checkStaticKeys(List<JWK> keys, Set<JWSAlgorithm> algorithms) {
        for (JWK key : keys) {
            if (key instanceof RSAKey rsa && rsa.size() < KeySelection.MIN_RSA_BITS) {
                throw new GuardConfigException("configured RSA key" + describe(key) + " has " + rsa.size()
                        + " bits; at least " + KeySelection.MIN_RSA_BITS + " are required");
            }
        }
        boolean usable = keys.stream()
                .anyMatch(key -> algorithms.stream().anyMatch(alg -> KeySelection.fits(key, alg)));
        if (!usable) {
            throw new GuardConfigException("no configured key fits the allowed algorithms " + names(algorithms)
                    + " (check key type, EC curve, and the keys' use, key_ops and alg members)");
        }
    }

    private static RemoteKeySet remoteKeys(String location, Duration refresh, Duration wait) {
        URL url;
        try {
            URI uri = new URI(location);
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw new GuardConfigException(KeyMaterial.LOCATION + " is not a valid http(s) URL: no host");
            }
            url = uri.toURL();
        } catch (URISyntaxException | MalformedURLException | IllegalArgumentException e) {
            // The URL itself is not echoed: it may carry credentials.
            throw new GuardConfigException(KeyMaterial.LOCATION + " is not a valid http(s) URL");
        }
        if (refresh == null || refresh.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new GuardConfigException("the JWKS refresh interval is required and must be at least 1 second");
        }
        if (wait == null || wait.isNegative() || wait.compareTo(JwtSettings.MAX_JWKS_FETCH_WAIT) > 0) {
            throw new GuardConfigException("wsguard.token.jwks-fetch-wait is required, between PT0S and PT5S");
        }
        if ("http".equalsIgnoreCase(url.getProtocol())) {
            LOG.log(System.Logger.Level.WARNING, "Verification keys are fetched over plain http; anyone on the "
                    + "path can substitute them. Use https outside tests.");
        }
        return RemoteKeySet.at(url, refresh, wait);
    }

    private static String describe(JWK key) {
        return key.getKeyID() == null ? "" : " (kid " + key.getKeyID() + ")";
    }

    private static String names(Set<JWSAlgorithm> algorithms) {
        return algorithms.stream().map(JWSAlgorithm::getName).sorted().toList().toString();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    /**
     * The registered claims with the types RFC 7519 gives them, or {@link ClaimRules#UNTYPED} when one is mistyped.
     * The verdict on a mistyped claim waits until the signature has verified ({@link ClaimRules} turns it into
     * {@link Rejection#TOKEN_CLAIM_MISSING}); Nimbus on its own would fail such a token before selecting keys.
     */
    private static JWTClaimsSet typedClaims(Map<String, Object> payload) {
        // Nimbus turns a numeric sub into a string; RFC 7519 says StringOrURI, and MP-JWT names users by it.
        if (payload.containsKey("sub") && !(payload.get("sub") instanceof String)) {
            return ClaimRules.UNTYPED;
        }
        try {
            return JWTClaimsSet.parse(payload);
        } catch (ParseException e) {
            return ClaimRules.UNTYPED;
        }
    }

    /**
     * A part of the token checked above (base64url characters only, a length base64 can have) that Nimbus decodes
     * with the JDK's decoder: the header and the signature are not secret, so they need none of the constant-time
     * decoding Nimbus applies to every part. Measured on a verified handshake after warm-up: Nimbus's decoder took
     * about 6 % of the server's samples (the signature's 342 characters, mostly), as much as the rest of the claim
     * checks together.
     */
    private static final class PublicPart extends Base64URL {
        private static final long serialVersionUID = 1L;

        PublicPart(String base64url) {
            super(base64url);
        }

        @Override
        public byte[] decode() {
            return URL_DECODER.decode(toString());
        }
    }

    /**
     * A signed JWT whose claims were parsed (and type-checked) once, before the processor runs: set right after its
     * header passed, before anything reads them.
     */
    private static final class ParsedJWT extends SignedJWT {
        private static final long serialVersionUID = 1L;

        private transient JWTClaimsSet claims;

        ParsedJWT(Base64URL header, Base64URL payload, Base64URL signature) throws ParseException {
            super(header, payload, signature);
        }

        @Override
        public JWTClaimsSet getJWTClaimsSet() {
            return claims;
        }
    }
}
