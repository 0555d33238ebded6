package dev.wsguard.internal.jwt;

import static dev.wsguard.internal.jwt.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wsguard.testing.TestTokens;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

/** The identity handed out for a verified token. */
class VerifiedTokenTest {

    private static final TokenVerifier VERIFIER =
            Fixtures.inline(TestTokens.publicKeyPem(TestTokens.rsa2048())).verifier();

    private static VerifiedToken verified(String token) {
        Verification verification = VERIFIER.verify(token);
        assertThat(verification).isInstanceOf(Verification.Valid.class);
        JsonWebToken jwt = ((Verification.Valid) verification).token();
        assertThat(jwt).isInstanceOf(VerifiedToken.class);
        return (VerifiedToken) jwt;
    }

    private static Object claim(JsonWebToken jwt, String name) {
        return jwt.getClaim(name);
    }

    private static TestTokens.Builder token() {
        return TestTokens.token().at(NOW);
    }

    @Test
    void getNameWhenUpnPresentThenUpn() {
        VerifiedToken jwt = verified(token().claim("upn", "alice@corp.test")
                .claim("preferred_username", "ally").sign());

        assertThat(jwt.getName()).isEqualTo("alice@corp.test");
    }

    @Test
    void getNameWhenNoUpnThenPreferredUsername() {
        assertThat(verified(token().claim("preferred_username", "ally").sign()).getName()).isEqualTo("ally");
    }

    @Test
    void getNameWhenOnlySubThenSub() {
        assertThat(verified(token().subject("u-123").sign()).getName()).isEqualTo("u-123");
    }

    @Test
    void getNameWhenUpnMistypedThenNextRuleApplies() {
        assertThat(verified(token().claim("upn", 42).sign()).getName()).isEqualTo(TestTokens.SUBJECT);
    }

    @Test
    void getGroupsWhenGroupsArrayThenUnmodifiableSet() {
        VerifiedToken jwt = verified(token().groups("admin", "user", "admin").sign());

        assertThat(jwt.getGroups()).containsExactly("admin", "user");
        Set<String> groupsClaim = jwt.getClaim("groups");
        assertThat(groupsClaim).containsExactly("admin", "user");
        assertThatThrownBy(() -> jwt.getGroups().add("root")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void getGroupsWhenAbsentThenEmpty() {
        VerifiedToken jwt = verified(token().without("groups").sign());

        assertThat(jwt.getGroups()).isEmpty();
        assertThat(jwt.containsClaim("groups")).isFalse();
    }

    @Test
    void getGroupsWhenNonStringEntriesThenTheyGrantNothing() {
        VerifiedToken jwt = verified(token().claim("groups", List.of("user", 7, Map.of("admin", true))).sign());

        assertThat(jwt.getGroups()).containsExactly("user");
    }

    @Test
    void scopesWhenScopeStringThenSplitOnSpaces() {
        VerifiedToken jwt = verified(token().scope(" read  write\tchat ").sign());

        assertThat(jwt.scopes()).containsExactly("read", "write", "chat");
        assertThatThrownBy(() -> jwt.scopes().add("admin")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void scopesWhenOtherUnicodeSpaceInsideThenOneScope() {
        // Only ASCII whitespace separates scopes: an em space or a separator control character never makes a token
        // with the scope "read\u2003admin" carry "admin".
        VerifiedToken jwt = verified(token().scope("read\u2003admin write\u001Cadmin").sign());

        assertThat(jwt.scopes()).containsExactly("read\u2003admin", "write\u001Cadmin");
    }

    @Test
    void scopesWhenScpArrayThenItsStrings() {
        VerifiedToken jwt = verified(token().without("scope").claim("scp", List.of("read", "write")).sign());

        assertThat(jwt.scopes()).containsExactly("read", "write");
    }

    @Test
    void scopesWhenScpStringThenSplit() {
        assertThat(verified(token().without("scope").claim("scp", "read write").sign()).scopes())
                .containsExactly("read", "write");
    }

    @Test
    void scopesWhenAbsentThenEmpty() {
        assertThat(verified(token().without("scope").sign()).scopes()).isEmpty();
    }

    @Test
    void getRawTokenThenNullAndTokenNotKeptInAnyField() throws Exception {
        String token = token().sign();
        VerifiedToken jwt = verified(token);

        assertThat(jwt.getRawToken()).isNull();
        assertThat(claim(jwt, "raw_token")).isNull();
        for (Field field : VerifiedToken.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            field.setAccessible(true);
            assertThat(String.valueOf(field.get(jwt))).as(field.getName()).doesNotContain(token)
                    .doesNotContain(token.substring(token.lastIndexOf('.') + 1));
        }
    }

    @Test
    void getRawTokenWhenTokenCarriesRawTokenClaimThenStillNull() {
        VerifiedToken jwt = verified(token().claim("raw_token", "attacker-chosen").sign());

        assertThat(jwt.getRawToken()).isNull();
        assertThat(claim(jwt, "raw_token")).isNull();
        assertThat(jwt.getClaimNames()).doesNotContain("raw_token");
        assertThat(jwt.containsClaim("raw_token")).isFalse();
    }

    @Test
    void getClaimThenPlainJavaTypes() {
        VerifiedToken jwt = verified(token()
                .notBefore(NOW.minusSeconds(10))
                .claim("auth_time", NOW.getEpochSecond() - 20)
                .claim("count", 3)
                .claim("ratio", 0.5)
                .claim("admin", true)
                .claim("list", List.of("a", 1))
                .claim("address", Map.of("city", "Oslo", "zip", List.of(1, 2)))
                .sign());

        assertThat(claim(jwt, "exp")).isEqualTo(NOW.getEpochSecond() + 300);
        assertThat(claim(jwt, "iat")).isEqualTo(NOW.getEpochSecond());
        assertThat(claim(jwt, "nbf")).isEqualTo(NOW.getEpochSecond() - 10);
        assertThat(claim(jwt, "auth_time")).isEqualTo(NOW.getEpochSecond() - 20);
        assertThat(claim(jwt, "count")).isEqualTo(3L);
        assertThat(claim(jwt, "ratio")).isEqualTo(0.5);
        assertThat(claim(jwt, "admin")).isEqualTo(Boolean.TRUE);
        assertThat(claim(jwt, "tenant")).isEqualTo(TestTokens.TENANT);
        assertThat(claim(jwt, "aud")).isEqualTo(Set.of(TestTokens.AUDIENCE));
        List<Object> list = jwt.getClaim("list");
        assertThat(list).containsExactly("a", 1L);
        Map<String, Object> address = jwt.getClaim("address");
        assertThat(address).containsEntry("city", "Oslo");
        assertThat(address.get("zip")).isEqualTo(List.of(1L, 2L));
        assertThatThrownBy(() -> address.put("city", "x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> list.add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> ((List<?>) address.get("zip")).clear())
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void standardAccessorsThenMatchClaims() {
        VerifiedToken jwt = verified(token().claim("jti", "id-1").audience("a", TestTokens.AUDIENCE).sign());

        assertThat(jwt.getIssuer()).isEqualTo(TestTokens.ISSUER);
        assertThat(jwt.getSubject()).isEqualTo(TestTokens.SUBJECT);
        assertThat(jwt.getTokenID()).isEqualTo("id-1");
        assertThat(jwt.getAudience()).containsExactly("a", TestTokens.AUDIENCE);
        assertThat(jwt.getExpirationTime()).isEqualTo(NOW.getEpochSecond() + 300);
        assertThat(jwt.getIssuedAtTime()).isEqualTo(NOW.getEpochSecond());
        assertThat(jwt.claim("tenant")).contains(TestTokens.TENANT);
        assertThat(jwt.claim("nope")).isEmpty();
    }

    @Test
    void getClaimNamesThenUnmodifiableAndComplete() {
        VerifiedToken jwt = verified(token().claim("nothing", null).sign());

        assertThat(jwt.getClaimNames())
                .containsExactlyInAnyOrder("iss", "aud", "sub", "iat", "exp", "jti", "groups", "scope", "tenant");
        assertThatThrownBy(() -> jwt.getClaimNames().remove("sub")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void toStringThenNoClaimValues() {
        VerifiedToken jwt = verified(token().subject("secret-subject").tenant("secret-tenant").sign());

        assertThat(jwt.toString()).doesNotContain("secret-subject").doesNotContain("secret-tenant")
                .doesNotContain(TestTokens.ISSUER);
        assertThat(new Verification.Valid(jwt).toString()).doesNotContain("secret-subject");
    }

    @Test
    void claimsWhenTwoUsersShareValuesThenOneInstanceAndOwnValuesKept() {
        VerifiedToken alice = verified(token().subject("alice").tenant(new String("acme")).groups("user", "admin")
                .scope("chat:read chat:write").claim("upn", "alice").sign());
        VerifiedToken bob = verified(token().subject("bob").tenant(new String("acme")).groups("user", "admin")
                .scope("chat:read chat:write").claim("upn", "bob").sign());

        // Kept once for every session of that shape: the names, and values equal to the previous token's.
        assertThat(bob.getClaimNames()).isSameAs(alice.getClaimNames());
        assertThat((Object) bob.getClaim("tenant")).isSameAs(alice.getClaim("tenant"));
        assertThat(bob.getGroups()).isSameAs(alice.getGroups());
        assertThat(bob.scopes()).isSameAs(alice.scopes());
        assertThat(bob.getAudience()).isSameAs(alice.getAudience());
        // A value equal to another claim of the same token is that instance (upn and sub).
        assertThat((Object) bob.getClaim("upn")).isSameAs(bob.getSubject());
        // Each keeps its own.
        assertThat(alice.getSubject()).isEqualTo("alice");
        assertThat(bob.getSubject()).isEqualTo("bob");
        assertThat(alice.getName()).isEqualTo("alice");
        assertThat(bob.getName()).isEqualTo("bob");
    }

    @Test
    void claimsWhenValuesDifferInOrderOrKindThenNotShared() {
        VerifiedToken first = verified(token().subject("a").groups("user", "admin").claim("level", 1).sign());
        VerifiedToken second = verified(token().subject("b").groups("admin", "user").claim("level", 1.0).sign());

        assertThat(second.getGroups()).containsExactly("admin", "user");
        assertThat(first.getGroups()).containsExactly("user", "admin");
        assertThat((Object) first.getClaim("level")).isEqualTo(1L);
        assertThat((Object) second.getClaim("level")).isEqualTo(1.0);
    }

    @Test
    void claimsWhenSecondsClaimsThenLongsAndNamesInTokenOrder() {
        VerifiedToken jwt = verified(token().sign());

        assertThat((Object) jwt.getClaim("exp")).isEqualTo(jwt.getExpirationTime()).isInstanceOf(Long.class);
        assertThat((Object) jwt.getClaim("iat")).isEqualTo(jwt.getIssuedAtTime()).isInstanceOf(Long.class);
        assertThat(jwt.getExpirationTime()).isGreaterThan(jwt.getIssuedAtTime());
        assertThat(jwt.containsClaim("exp")).isTrue();
        assertThat(jwt.containsClaim("nope")).isFalse();
        assertThat(jwt.containsClaim(null)).isFalse();
        assertThat((Object) jwt.getClaim("nope")).isNull();
        assertThat(jwt.getClaimNames()).contains("exp", "iat", "sub", "iss");
    }
}
