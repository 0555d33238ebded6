package dev.wsguard.internal.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSetRetrievalException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import dev.wsguard.Rejection;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks the verification keys for a token header, with typed verdicts: {@link Rejection#TOKEN_KEY_UNKNOWN} when
 * no key fits and {@link Rejection#TOKEN_KEY_TOO_WEAK} when only RSA keys under 2048 bits fit.
 *
 * <p>Rules: keys whose type, curve, {@code use}, {@code key_ops}, {@code alg} or revocation rule out the token's
 * algorithm never count. A key set holding one key without a {@code kid} uses that key whatever {@code kid} the token
 * names; otherwise a token {@code kid} must match exactly, and a token without one may try every fitting key. For a
 * remote key set an unknown {@code kid} triggers one refresh, rate-limited by Nimbus. Immutable and thread-safe.
 */
final class KeySelection implements JWSKeySelector<SecurityContext> {

    static final int MIN_RSA_BITS = 2048;

    private static final System.Logger LOG = System.getLogger(KeySelection.class.getName());
    private static final JWKSelector EVERY_KEY = new JWKSelector(new JWKMatcher.Builder().build());
    private static final int KEY_CACHE_LIMIT = 64;

    private final JWKSource<SecurityContext> source;
    private final Set<JWSAlgorithm> algorithms;
    private final boolean remote;
    /** JWK to JDK key conversions, so a steady key set is not re-decoded per token. */
    private final Map<JWK, PublicKey> converted = new ConcurrentHashMap<>();
    /**
     * For a static key set, the keys each (kid, algorithm) selects, once found: the set cannot change, and a
     * selection that finds a key can only name one of its kids, so this holds at most keys × algorithms entries.
     */
    private final Map<Selection, List<PublicKey>> staticSelections = new ConcurrentHashMap<>();
    /** The remote key set last seen, and how many times it has changed: cached verdicts name the version. */
    private List<JWK> lastSeen = List.of();
    private long version;

    KeySelection(JWKSource<SecurityContext> source, Set<JWSAlgorithm> algorithms, boolean remote) {
        this.source = source;
        this.algorithms = Set.copyOf(algorithms);
        this.remote = remote;
    }

    @Override
    public List<PublicKey> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
        JWSAlgorithm alg = header.getAlgorithm();
        if (!algorithms.contains(alg)) {
            // Checked earlier from the header; kept so this selector is safe on its own.
            throw new RejectedKeyException(Rejection.TOKEN_ALGORITHM_NOT_ALLOWED);
        }
        String kid = header.getKeyID();
        Selection selection = remote ? null : new Selection(kid, alg);
        if (selection != null) {
            List<PublicKey> known = staticSelections.get(selection);
            if (known != null) {
                return known;
            }
        }
        List<JWK> candidates = candidates(keys(EVERY_KEY), kid, alg);
        if (candidates.isEmpty() && remote && kid != null) {
            // A kid we have not seen may be a rotated key: ask Nimbus for it, which refreshes the cached set
            // (at most twice per rate-limit interval), then select again from the whole set.
            keys(new JWKSelector(new JWKMatcher.Builder().keyID(kid).build()));
            candidates = candidates(keys(EVERY_KEY), kid, alg);
        }
        List<PublicKey> strong = new ArrayList<>(candidates.size());
        for (JWK key : candidates) {
            if (key instanceof RSAKey rsa && rsa.size() < MIN_RSA_BITS) {
                continue;
            }
            strong.add(publicKey(key));
        }
        if (strong.isEmpty()) {
            throw new RejectedKeyException(candidates.isEmpty()
                    ? Rejection.TOKEN_KEY_UNKNOWN : Rejection.TOKEN_KEY_TOO_WEAK);
        }
        if (selection != null) {
            staticSelections.put(selection, List.copyOf(strong));
        }
        return strong;
    }

    /**
     * The version of the key set, which changes whenever a remote set's keys change (a static set never changes);
     * -1 when the remote set cannot be read. Goes through Nimbus's cache, so it fetches only when a fetch is due.
     */
    long keySetVersion() {
        if (!remote) {
            return 0;
        }
        List<JWK> now;
        try {
            now = keys(EVERY_KEY);
        } catch (RejectedKeyException e) {
            return -1;
        }
        synchronized (this) {
            if (!now.equals(lastSeen)) {
                lastSeen = List.copyOf(now);
                version++;
            }
            return version;
        }
    }

    private List<JWK> keys(JWKSelector selector) throws RejectedKeyException {
        try {
            return source.get(selector, null);
        } catch (KeySourceException e) {
            if (e instanceof JWKSetRetrievalException) {
                // Reached only for real fetch attempts, which Nimbus rate-limits; no stack trace, no token data.
                LOG.log(System.Logger.Level.WARNING, "JWKS fetch failed: {0}", e.getMessage());
            }
            throw new RejectedKeyException(Rejection.TOKEN_KEY_UNKNOWN);
        }
    }

    private PublicKey publicKey(JWK key) throws RejectedKeyException {
        PublicKey cached = converted.get(key);
        if (cached != null) {
            return cached;
        }
        try {
            PublicKey fresh = KeyMaterial.toPublicKey(key);
            if (converted.size() >= KEY_CACHE_LIMIT) {
                converted.clear();
            }
            converted.put(key, fresh);
            return fresh;
        } catch (JOSEException e) {
            throw new RejectedKeyException(Rejection.TOKEN_KEY_UNKNOWN);
        }
    }

    private record Selection(String kid, JWSAlgorithm alg) {
    }

    static List<JWK> candidates(List<JWK> keys, String kid, JWSAlgorithm alg) {
        if (keys.size() == 1 && keys.get(0).getKeyID() == null) {
            return fits(keys.get(0), alg) ? keys : List.of();
        }
        List<JWK> result = new ArrayList<>(2);
        for (JWK key : keys) {
            if ((kid == null || kid.equals(key.getKeyID())) && fits(key, alg)) {
                result.add(key);
            }
        }
        return result;
    }

    /** Whether the key may verify a signature made with {@code alg}. */
    static boolean fits(JWK key, JWSAlgorithm alg) {
        KeyUse use = key.getKeyUse();
        if (use != null && !KeyUse.SIGNATURE.getValue().equals(use.getValue())) {
            return false;
        }
        if (key.getAlgorithm() != null && !Objects.equals(key.getAlgorithm().getName(), alg.getName())) {
            return false;
        }
        if (key.getKeyOperations() != null && !key.getKeyOperations().contains(KeyOperation.VERIFY)) {
            return false;
        }
        return key.getKeyRevocation() == null && fitsType(key, alg);
    }

    private static boolean fitsType(JWK key, JWSAlgorithm alg) {
        if (JWSAlgorithm.Family.RSA.contains(alg)) {
            return key instanceof RSAKey;
        }
        if (JWSAlgorithm.Family.EC.contains(alg)) {
            return key instanceof ECKey ec && Curve.forJWSAlgorithm(alg).contains(ec.getCurve());
        }
        return false;
    }
}
