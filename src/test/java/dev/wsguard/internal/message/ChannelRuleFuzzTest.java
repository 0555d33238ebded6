package dev.wsguard.internal.message;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wsguard.GuardConfigException;

import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Channel rules on any pattern, bindings, claims and channel name: building either succeeds or refuses with
 * {@link GuardConfigException}; deciding never throws; and a name is accepted exactly when it can be built from the
 * pattern by putting 1 to 64 of {@code [A-Za-z0-9_.-]} in place of each variable, the caller's claim value (or one of
 * its values) in place of every occurrence of a bound one, and is at most 256 characters long. Plain test runs
 * replay the saved inputs; docs/fuzzing.md says how to fuzz.
 */
class ChannelRuleFuzzTest {

    private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z][A-Za-z0-9_]*)\\}");
    private static final List<String> PIECES = List.of("{tenant}", "{room}", "{id}", "tenant:", ":", ".", "-", "/",
            "a", "x1", "{", "}", "{1}", "_", "room.");
    private static final List<String> CLAIM_VALUES = List.of("acme", "a.b", "b", "x", "", "a b", "acme:x", "-",
            "r".repeat(64), "r".repeat(65));

    @FuzzTest
    void allowsChannelWhenAnyNameThenExactlyThePatternFilledWithTheClaims(FuzzedDataProvider data) {
        StringBuilder pattern = new StringBuilder();
        int pieces = data.consumeInt(0, 6);
        for (int i = 0; i < pieces; i++) {
            pattern.append(data.consumeInt(0, 9) == 0 ? data.consumeString(3) : data.pickValue(PIECES));
        }
        List<String> bindings = new ArrayList<>();
        for (String binding : List.of("tenant", "room=rooms", "id=sub", "tenant=rooms")) {
            if (data.consumeBoolean()) {
                bindings.add(binding);
            }
        }
        Map<String, Object> claims = new HashMap<>();
        claims.put("tenant", claimValue(data));
        claims.put("rooms", List.of(claimValue(data), claimValue(data)));
        if (data.consumeBoolean()) {
            claims.put("sub", data.consumeBoolean() ? claimValue(data) : (Object) 42);
        }
        ChannelRule rule;
        try {
            rule = new ChannelRule(ChannelRuleTest.channel(pattern.toString(), bindings.toArray(String[]::new)),
                    MethodHandles.constant(Object.class, null), "fuzz");
        } catch (GuardConfigException refused) {
            return; // a binding that names no variable of the pattern, or a variable named twice
        }
        String name = data.consumeBoolean() ? data.consumeRemainingAsString() : filled(data, pattern.toString());

        boolean allowed = rule.allowsChannel(name, ChannelRuleTest.token(claims));

        assertThat(allowed).as("%s against %s bound %s with %s", name, pattern, bindings, claims).isEqualTo(
                ChannelRuleTest.reference(pattern.toString(), bindings.toArray(String[]::new), name, claims));
    }

    private static String claimValue(FuzzedDataProvider data) {
        return data.consumeBoolean() ? data.pickValue(CLAIM_VALUES) : data.consumeString(8);
    }

    /** A name made from the pattern, each variable replaced by claim-like text: often accepted, often near it. */
    private static String filled(FuzzedDataProvider data, String pattern) {
        StringBuilder name = new StringBuilder();
        Matcher m = VARIABLE.matcher(pattern);
        int last = 0;
        while (m.find()) {
            name.append(pattern, last, m.start()).append(data.consumeBoolean() ? data.pickValue(CLAIM_VALUES)
                    : data.consumeString(5));
            last = m.end();
        }
        return name.append(pattern.substring(last)).toString();
    }
}
