package dev.wsguard.internal.jwt;

import dev.wsguard.testing.TestTokens;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Runs inside a class loader without JSON-P (see {@code VerifiedTokenWithoutJsonPTest}): verifies a token and reads
 * every accessor, as an endpoint on Tyrus standalone without Yasson would.
 */
public final class NoJsonProbe {
    private NoJsonProbe() {
    }

    public static String run() {
        boolean claimsLoadable;
        try {
            Class.forName("org.eclipse.microprofile.jwt.Claims");
            claimsLoadable = true;
        } catch (ClassNotFoundException | LinkageError e) {
            claimsLoadable = false;
        }
        Verification v = new TokenVerifier(TestTokens.settings(TestTokens.publicKeyPem(TestTokens.rsa2048())))
                .verify(TestTokens.token().sign());
        JsonWebToken jwt = ((Verification.Valid) v).token();
        return "claimsLoadable=" + claimsLoadable + " name=" + jwt.getName() + " raw=" + jwt.getRawToken()
                + " iss=" + jwt.getIssuer() + " aud=" + jwt.getAudience() + " sub=" + jwt.getSubject()
                + " jti=" + (jwt.getTokenID() != null) + " exp>iat=" + (jwt.getExpirationTime() > jwt.getIssuedAtTime())
                + " groups=" + jwt.getGroups();
    }
}
