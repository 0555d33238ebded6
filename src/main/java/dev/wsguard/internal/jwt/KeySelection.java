package dev.wsguard.internal.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
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
 * remote key set ({@link RemoteKeySet}) a {@code kid} it lacks may start a refresh, which the token waits for only
 * within a small bound. Thread-safe.
 */
final class KeySelection implements JWSKeySelector<SecurityContext> {

    static final int MIN_RSA_BITS = 2048;

    private static final int KEY_CACHE_LIMIT = 64;

    /** The configured keys, or null for a remote set. */
    private final List<JWK> staticKeys;
    /** Null for configured keys. */
    private final RemoteKeySet remote;
    private final Set<JWSAlgorithm> algorithms;
    /** JWK to JDK key conversions, so a steady key set is not re-decoded per token. */
    private final Map<JWK, PublicKey> converted = new ConcurrentHashMap<>();
    /**
     * For a static key set, the keys each (kid, algorithm) selects, once found: the set cannot change, and a
     * selection that finds a key can only name one of its kids, so this holds at most keys × algorithms entries.
     */
    private final Map<Selection, List<PublicKey>> staticSelections = new ConcurrentHashMap<>();

    private KeySelection(List<JWK> staticKeys, RemoteKeySet remote, Set<JWSAlgorithm> algorithms) {
        this.staticKeys = staticKeys;
        this.remote = remote;
        this.algorithms = Set.copyOf(algorithms);
    }

    /** Over configured keys, which never change. */
    static KeySelection of(List<JWK> keys, Set<JWSAlgorithm> algorithms) {
        return new KeySelection(List.copyOf(keys), null, algorithms);
    }

    /** Over a key set fetched from a URL. */
    static KeySelection remote(RemoteKeySet keys, Set<JWSAlgorithm> algorithms) {
        return new KeySelection(null, keys, algorithms);
    }

    /** Starts fetching a remote key set in the background; nothing for configured keys. */
    void prefetch() {
        if (remote != null) {
            remote.prefetch();
        }
    }

    @Override
    public List<PublicKey> selectJWSKeys(JWSHeader header, SecurityContext context) throws RejectedKeyException {
        JWSAlgorithm alg = header.getAlgorithm();
        if (!algorithms.contains(alg)) {
            // Checked earlier from the header; kept so this selector is safe on its own.
            throw new RejectedKeyException(Rejection.TOKEN_ALGORITHM_NOT_ALLOWED);
        }
        String kid = header.getKeyID();
        if (remote == null && context instanceof KeySetUsed used) {
            used.version = 0;
        }
        Selection selection = remote != null ? null : new Selection(kid, alg);
        if (selection != null) {
            List<PublicKey> known = staticSelections.get(selection);
            if (known != null) {
                return known;
            }
        }
        List<JWK> keys = staticKeys;
        if (remote != null) {
            // A kid the remote set lacks may be a rotated key (or a forgery): the set may refresh, within its bounds.
            RemoteKeySet.Snapshot set = remote.keys(held -> kid == null || !candidates(held, kid, alg).isEmpty());
            keys = set.keys();
            if (context instanceof KeySetUsed used) {
                used.version = set.version();
            }
        }
        List<JWK> candidates = candidates(keys, kid, alg);
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
     * -1 when no remote set is usable. Never waits for a fetch.
     */
    long keySetVersion() {
        return remote == null ? 0 : remote.version();
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

    /**
     * Passed through the processor to learn which key set a token verified against, so a cached verdict names
     * exactly that set ({@link #keySetVersion()}'s numbering), even when it was fetched during this verification.
     */
    static final class KeySetUsed implements SecurityContext {
        private long version = -1;

        /** The version chosen from, or -1 when no usable set was at hand. */
        long version() {
            return version;
        }
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
