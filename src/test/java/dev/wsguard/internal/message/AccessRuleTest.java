package dev.wsguard.internal.message;

import dev.wsguard.Rejection;
import dev.wsguard.RequiresScope;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class AccessRuleTest {

    record None() { }

    @PermitAll
    record Open() { }

    @RolesAllowed({"admin", "ops"})
    record Admin() { }

    @RequiresScope({"a", "b"})
    record Scoped() { }

    @PermitAll
    @DenyAll
    record Denied() { }

    @RolesAllowed({})
    record Nobody() { }

    @Test
    void checkWhenNoRuleThenTypeNotAllowed() {
        assertThat(AccessRule.of(None.class).check(Set.of("admin"), Set.of("a")))
                .isEqualTo(Rejection.MESSAGE_TYPE_NOT_ALLOWED);
    }

    @Test
    void checkWhenPermitAllThenAllowed() {
        assertThat(AccessRule.of(Open.class).check(Set.of(), Set.of())).isNull();
    }

    @Test
    void checkWhenRolesAllowedThenAnyListedRolePasses() {
        assertThat(AccessRule.of(Admin.class).check(Set.of("ops"), Set.of())).isNull();
        assertThat(AccessRule.of(Admin.class).check(Set.of("user"), Set.of())).isEqualTo(Rejection.ROLE_MISSING);
        assertThat(AccessRule.of(Nobody.class).check(Set.of("admin"), Set.of())).isEqualTo(Rejection.ROLE_MISSING);
    }

    @Test
    void checkWhenScopesRequiredThenAllNeeded() {
        assertThat(AccessRule.of(Scoped.class).check(Set.of(), Set.of("a", "b", "c"))).isNull();
        assertThat(AccessRule.of(Scoped.class).check(Set.of(), Set.of("a"))).isEqualTo(Rejection.SCOPE_MISSING);
    }

    @Test
    void checkWhenDenyAllAnywhereThenRefused() {
        assertThat(AccessRule.of(Denied.class).check(Set.of("admin"), Set.of()))
                .isEqualTo(Rejection.MESSAGE_TYPE_NOT_ALLOWED);
    }

    @Test
    void checkWhenTypeAndHandlerBothRuleThenBothMustPass() {
        AccessRule both = AccessRule.of(Admin.class, Scoped.class);
        assertThat(both.check(Set.of("admin"), Set.of("a", "b"))).isNull();
        assertThat(both.check(Set.of("admin"), Set.of("a"))).isEqualTo(Rejection.SCOPE_MISSING);
        assertThat(both.check(Set.of(), Set.of("a", "b"))).isEqualTo(Rejection.ROLE_MISSING);
    }
}
