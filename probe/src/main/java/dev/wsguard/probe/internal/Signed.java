package dev.wsguard.probe.internal;

import com.nimbusds.jose.util.JSONObjectUtils;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.PSSParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Tokens signed for real, with the JDK alone: the valid token's header and claims changed in one place and signed
 * with a key the endpoint trusts (a test issuer's, given by the operator), or kept as they are and signed with a key
 * made here that no endpoint can know. The algorithm is the valid token's own (RS, PS, ES or HS with 256, 384, 512).
 */
final class Signed {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Signed() {
    }

    /** Seconds since the epoch, {@code offset} seconds from now. */
    static long epoch(long offset) {
        return Instant.now().getEpochSecond() + offset;
    }

    /**
     * The valid token with its header and claims changed in place (read and written again by Nimbus), signed with
     * {@code signingKeyPem}.
     */
    static String resigned(String token, String signingKeyPem, Consumer<Map<String, Object>> header,
            Consumer<Map<String, Object>> claims) {
        String[] p = Tokens.parts(token);
        Map<String, Object> h = Tokens.object(p[0]);
        header.accept(h);
        String alg = alg(h);
        if (alg.startsWith("HS")) {
            throw new Outcome.Skip("the valid token is HMAC-signed: its claims cannot be re-signed with a key pair");
        }
        Map<String, Object> c = Tokens.object(p[1]);
        claims.accept(c);
        String input = encode(JSONObjectUtils.toJSONString(h)) + "." + encode(JSONObjectUtils.toJSONString(c));
        return input + "." + sign(alg, privateKey(signingKeyPem), input);
    }

    /** The valid token unchanged, signed with a key of its algorithm's kind made for this attack. */
    static String withForeignKey(String token) {
        String[] p = Tokens.parts(token);
        String alg = alg(Tokens.object(p[0]));
        String input = p[0] + "." + p[1];
        try {
            Key key;
            if (alg.startsWith("HS")) {
                byte[] secret = new byte[64];
                RANDOM.nextBytes(secret);
                key = new SecretKeySpec(secret, "Hmac");
            } else if (alg.startsWith("ES")) {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec(switch (alg) {
                    case "ES384" -> "secp384r1";
                    case "ES512" -> "secp521r1";
                    default -> "secp256r1";
                }));
                key = g.generateKeyPair().getPrivate();
            } else {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048);
                key = g.generateKeyPair().getPrivate();
            }
            return input + "." + sign(alg, key, input);
        } catch (GeneralSecurityException e) {
            throw new Outcome.Skip("cannot make a key for " + alg + ": " + e.getMessage());
        }
    }

    /** The {@code alg} of a parsed JOSE header, one this class can sign with. */
    static String alg(Map<String, Object> header) {
        String alg = String.valueOf(header.get("alg"));
        if (!alg.matches("(RS|PS|ES|HS)(256|384|512)")) {
            throw new Outcome.Skip("the valid token's alg is not RS, PS, ES or HS with 256, 384 or 512 bits");
        }
        return alg;
    }

    private static String sign(String alg, Key key, String input) {
        byte[] data = input.getBytes(StandardCharsets.US_ASCII);
        String bits = alg.substring(2);
        try {
            if (alg.startsWith("HS")) {
                Mac mac = Mac.getInstance("HmacSHA" + bits);
                mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA" + bits));
                return B64.encodeToString(mac.doFinal(data));
            }
            Signature signature;
            if (alg.startsWith("PS")) {
                signature = Signature.getInstance("RSASSA-PSS");
                String digest = "SHA-" + bits;
                signature.setParameter(new PSSParameterSpec(digest, "MGF1", new MGF1ParameterSpec(digest),
                        Integer.parseInt(bits) / 8, 1));
            } else {
                signature = Signature.getInstance("SHA" + bits + (alg.startsWith("ES") ? "withECDSAinP1363Format"
                        : "withRSA"));
            }
            if (!(key instanceof PrivateKey privateKey)) {
                throw new Outcome.Skip("an " + alg + " token needs a private key");
            }
            signature.initSign(privateKey);
            signature.update(data);
            return B64.encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new Outcome.Skip("the signing key does not sign " + alg + ": " + e.getMessage());
        }
    }

    /** An RSA or EC key in PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
    static PrivateKey privateKey(String pem) {
        if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new Outcome.Skip("the signing key is not PKCS#8 PEM (BEGIN PRIVATE KEY)");
        }
        String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PKCS8EncodedKeySpec spec;
        try {
            spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body));
        } catch (IllegalArgumentException e) {
            throw new Outcome.Skip("the signing key's PEM body is not base64");
        }
        for (String kind : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(kind).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next kind
            }
        }
        throw new Outcome.Skip("the signing key is neither an RSA nor an EC private key");
    }

    private static String encode(String json) {
        return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
