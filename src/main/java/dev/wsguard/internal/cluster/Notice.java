package dev.wsguard.internal.cluster;

/** What one node tells the others. */
public record Notice(Kind kind, String value, long atEpochMillis) {

    /** The kinds of notices. */
    public enum Kind {
        /** Every token of subject {@code value} issued until {@code atEpochMillis} is revoked. */
        REVOKE_USER,
        /** The token with {@code jti} {@code value} is revoked. */
        REVOKE_TOKEN
    }
}
