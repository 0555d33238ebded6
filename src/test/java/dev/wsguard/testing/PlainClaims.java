package dev.wsguard.testing;

import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Map;
import java.util.Set;

/** An identity over plain claims, as a container hands one over: nothing is verified, for pure-logic tests. */
public final class PlainClaims {

    private PlainClaims() {
    }

    public static JsonWebToken of(Map<String, Object> claims) {
        return new JsonWebToken() {
            @Override
            public String getName() {
                return String.valueOf(claims.get("sub"));
            }

            @Override
            public Set<String> getClaimNames() {
                return claims.keySet();
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> T getClaim(String claimName) {
                return (T) claims.get(claimName);
            }
        };
    }
}
