package dev.wsguard.internal.message;

import dev.wsguard.Channel;
import dev.wsguard.GuardConfigException;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import java.lang.annotation.Annotation;
import java.lang.invoke.MethodHandles;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The channel rule decides without a regular expression where a variable's end is unambiguous: it must accept
 * exactly what the documented rule (each variable 1 to 64 of {@code [A-Za-z0-9_.-]}, bound variables equal to the
 * claim or in it) accepts, checked here against that rule written as a regular expression, on many random names.
 */
class ChannelRuleTest {

    private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z][A-Za-z0-9_]*)\\}");
    private static final Pattern VARIABLE_TEXT = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    @Test
    void allowsChannelWhenRandomNamesThenSameAnswerAsTheRuleAsRegex() {
        List<String> patterns = List.of("tenant:{tenant}:{room}", "room:{room}", "{tenant}/{room}/x", "fixed",
                "a.{tenant}.{room}", "{tenant}{room}", "{tenant}-{room}", "t:{tenant}", "{tenant}");
        Map<String, Object> claims = Map.of("tenant", "ab", "rooms", List.of("a.b", "b", "x"));
        JsonWebToken caller = token(claims);
        Random random = new Random(42);
        String alphabet = "ab.:-/x1";
        int accepted = 0;
        for (String pattern : patterns) {
            List<String> bound = new java.util.ArrayList<>();
            if (pattern.contains("{tenant}")) {
                bound.add("tenant");
            }
            if (pattern.contains("{room}")) {
                bound.add("room=rooms");
            }
            String[] bindings = bound.toArray(String[]::new);
            ChannelRule rule = new ChannelRule(channel(pattern, bindings), MethodHandles.constant(Object.class,
                    null), "test");
            for (int n = 0; n < 40_000; n++) {
                String name = randomName(random, alphabet, pattern);
                boolean expected = reference(pattern, bindings, name, claims);
                assertThat(rule.allowsChannel(name, caller)).as("%s against %s", name, pattern)
                        .isEqualTo(expected);
                accepted += expected ? 1 : 0;
            }
        }
        assertThat(accepted).as("the corpus exercises acceptance, not only refusal").isGreaterThan(1_000);
    }

    @Test
    void allowsChannelWhenVariableLongerThan64ThenRefused() {
        ChannelRule rule = new ChannelRule(channel("room:{room}", new String[0]),
                MethodHandles.constant(Object.class, null), "test");
        JsonWebToken caller = token(Map.of());
        assertThat(rule.allowsChannel("room:" + "r".repeat(64), caller)).isTrue();
        assertThat(rule.allowsChannel("room:" + "r".repeat(65), caller)).isFalse();
        assertThat(rule.allowsChannel("room:", caller)).isFalse();
        assertThat(rule.allowsChannel("room:a b", caller)).isFalse();
        assertThat(rule.allowsChannel("Room:a", caller)).isFalse();
    }

    @Test
    void allowsChannelWhenAdjacentVariablesAndTheClaimFitsAnotherSplitThenAllowed() {
        // Found by ChannelRuleFuzzTest: the regular expression split "ab.c" greedily as "ab." + "c" and the claim was
        // compared with that split alone, so a name the rule allows ("a" + "b.c") was refused.
        ChannelRule rule = new ChannelRule(channel("{tenant}{room}", new String[] {"room=rooms"}),
                MethodHandles.constant(Object.class, null), "test");
        JsonWebToken caller = token(Map.of("rooms", List.of("b.c")));
        assertThat(rule.allowsChannel("ab.c", caller)).isTrue();
        assertThat(rule.allowsChannel("b.c", caller)).as("the unbound variable takes at least one character")
                .isFalse();
        assertThat(rule.allowsChannel("ab.cd", caller)).isFalse();
    }

    @Test
    void channelRuleWhenPatternNamesAVariableTwiceThenGuardConfigException() {
        // Seen while writing the oracle of ChannelRuleFuzzTest: only the first {tenant} was bound, the second took
        // any value.
        assertThatThrownBy(() -> new ChannelRule(channel("{tenant}/{tenant}", new String[] {"tenant"}),
                MethodHandles.constant(Object.class, null), "test")).isInstanceOf(GuardConfigException.class)
                .hasMessageContaining("{tenant} twice");
    }

    /** A name that often resembles the pattern: its literals kept or mutated, variables of random runs. */
    private static String randomName(Random random, String alphabet, String pattern) {
        StringBuilder name = new StringBuilder();
        Matcher m = VARIABLE.matcher(pattern);
        int last = 0;
        while (m.find()) {
            name.append(maybeMutate(random, alphabet, pattern.substring(last, m.start())));
            int length = random.nextInt(8) == 0 ? 60 + random.nextInt(8) : random.nextInt(5);
            for (int i = 0; i < length; i++) {
                name.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            last = m.end();
        }
        name.append(maybeMutate(random, alphabet, pattern.substring(last)));
        return name.toString();
    }

    private static String maybeMutate(Random random, String alphabet, String literal) {
        if (literal.isEmpty() || random.nextInt(10) != 0) {
            return literal;
        }
        char[] chars = literal.toCharArray();
        chars[random.nextInt(chars.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
        return new String(chars);
    }

    /**
     * The documented rule, as the regular expression it is equivalent to: each bound variable replaced by the values
     * of its claims (every one of its bindings must hold), each other variable by 1 to 64 variable characters.
     */
    static boolean reference(String pattern, String[] bindings, String name, Map<String, Object> claims) {
        Map<String, List<String>> bound = new java.util.HashMap<>();
        for (String binding : bindings) {
            int eq = binding.indexOf('=');
            Object claim = claims.get(eq < 0 ? binding : binding.substring(eq + 1));
            List<String> values = claim instanceof String s ? List.of(s)
                    : claim instanceof List<?> list ? list.stream().filter(String.class::isInstance).map(String.class::cast).toList() : List.of();
            bound.computeIfAbsent(eq < 0 ? binding : binding.substring(0, eq), k -> new java.util.ArrayList<>(values))
                    .retainAll(values);
        }
        StringBuilder regex = new StringBuilder();
        Matcher m = VARIABLE.matcher(pattern);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(pattern.substring(last, m.start())));
            List<String> values = bound.get(m.group(1));
            if (values == null) {
                regex.append(VARIABLE_TEXT.pattern());
            } else {
                regex.append("(?:(?!)");
                values.stream().filter(v -> VARIABLE_TEXT.matcher(v).matches())
                        .forEach(v -> regex.append('|').append(Pattern.quote(v)));
                regex.append(')');
            }
            last = m.end();
        }
        regex.append(Pattern.quote(pattern.substring(last)));
        return name.length() <= 256 && Pattern.compile(regex.toString()).matcher(name).matches();
    }

    static Channel channel(String pattern, String[] claims) {
        return new Channel() {
            @Override
            public String pattern() {
                return pattern;
            }

            @Override
            public String[] claims() {
                return claims;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return Channel.class;
            }
        };
    }

    static JsonWebToken token(Map<String, Object> claims) {
        return dev.wsguard.testing.PlainClaims.of(claims);
    }
}
