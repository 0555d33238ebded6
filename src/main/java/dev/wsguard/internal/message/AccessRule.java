package dev.wsguard.internal.message;

import dev.wsguard.Rejection;
import dev.wsguard.RequiresScope;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;

import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The authorization rule of one message type: the rules on the type and on its handler, all of which must pass.
 * No rule at all means deny. Immutable and thread-safe.
 */
record AccessRule(boolean hasRule, boolean denyAll, List<Set<String>> roleChoices, Set<String> scopes) {

    static AccessRule of(AnnotatedElement... elements) {
        boolean hasRule = false;
        boolean denyAll = false;
        List<Set<String>> roles = new ArrayList<>();
        Set<String> scopes = new LinkedHashSet<>();
        for (AnnotatedElement e : elements) {
            if (e == null) {
                continue;
            }
            if (e.isAnnotationPresent(PermitAll.class)) {
                hasRule = true;
            }
            if (e.isAnnotationPresent(DenyAll.class)) {
                hasRule = true;
                denyAll = true;
            }
            RolesAllowed allowed = e.getAnnotation(RolesAllowed.class);
            if (allowed != null) {
                hasRule = true;
                // @RolesAllowed({}) allows nobody: an empty choice can never be met.
                roles.add(Set.of(allowed.value()));
            }
            RequiresScope required = e.getAnnotation(RequiresScope.class);
            if (required != null) {
                hasRule = true;
                scopes.addAll(List.of(required.value()));
            }
        }
        return new AccessRule(hasRule, denyAll, List.copyOf(roles), Set.copyOf(scopes));
    }

    /** @return the refusal, or null when the caller may send this message */
    Rejection check(Set<String> callerRoles, Set<String> callerScopes) {
        if (!hasRule || denyAll) {
            return Rejection.MESSAGE_TYPE_NOT_ALLOWED;
        }
        for (Set<String> choice : roleChoices) {
            boolean any = false;
            for (String role : choice) {
                if (callerRoles.contains(role)) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return Rejection.ROLE_MISSING;
            }
        }
        if (!callerScopes.containsAll(scopes)) {
            return Rejection.SCOPE_MISSING;
        }
        return null;
    }
}
