package dev.wsguard.internal.jwt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 of a token, computed once per handshake: its first 64 bits are the token's fingerprint in security
 * events, all of it is the verified-token cache's key. Held as four longs: cheap equality, no array copies. Not a
 * record: a cache entry extends it, so that each cached token holds one object for its key and its verdict.
 */
public class TokenDigest {

    private final long a;
    private final long b;
    private final long c;
    private final long d;

    /** The digest made of these four 64-bit words; for the verified-token cache's entries, which are their own keys. */
    TokenDigest(TokenDigest digest) {
        this(digest.a, digest.b, digest.c, digest.d);
    }

    private TokenDigest(long a, long b, long c, long d) {
        this.a = a;
        this.b = b;
        this.c = c;
        this.d = d;
    }

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

    /** Equal to any digest of the same token, a cache entry included. */
    @Override
    public final boolean equals(Object other) {
        return other instanceof TokenDigest o && a == o.a && b == o.b && c == o.c && d == o.d;
    }

    /** The first 32 bits are as good as any: a SHA-256 is uniform. */
    @Override
    public final int hashCode() {
        return (int) a;
    }

    /** First 64 bits, hex: enough to correlate uses of one token, useless to replay it. */
    public String fingerprint() {
        return HexFormat.of().toHexDigits(a);
    }
}
