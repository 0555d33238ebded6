package dev.wsguard.internal.jwt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 of a token, computed once per handshake: its first 64 bits are the token's fingerprint in security
 * events, all of it is the verified-token cache's key. Held as four longs: cheap equality, no array copies.
 */
public record TokenDigest(long a, long b, long c, long d) {

    /** Cloned for each digest: a clone skips the provider lookup that {@code getInstance} makes every time. */
    private static final MessageDigest SHA_256 = sha256();

    /** The digest of {@code token}'s UTF-8 bytes. */
    public static TokenDigest of(String token) {
        MessageDigest digest;
        try {
            digest = (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            digest = sha256();
        }
        ByteBuffer sha = ByteBuffer.wrap(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
        return new TokenDigest(sha.getLong(), sha.getLong(), sha.getLong(), sha.getLong());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    /**
     * Compares the four longs directly: a record's generated equality goes through a method-handle chain, which
     * showed up in every handshake's profile (a cache lookup compares at least once).
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof TokenDigest o && a == o.a && b == o.b && c == o.c && d == o.d;
    }

    /** The first 32 bits are as good as any: a SHA-256 is uniform. */
    @Override
    public int hashCode() {
        return (int) a;
    }

    /** First 64 bits, hex: enough to correlate uses of one token, useless to replay it. */
    public String fingerprint() {
        return HexFormat.of().toHexDigits(a);
    }
}
