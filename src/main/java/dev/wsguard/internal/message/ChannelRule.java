package dev.wsguard.internal.message;

import dev.wsguard.Channel;
import dev.wsguard.GuardConfigException;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A compiled {@link Channel} rule: the pattern as literal parts and variables, and the variables bound to claims.
 * A variable matches 1 to 64 characters of {@code [A-Za-z0-9_.-]}. When every variable is followed by the end or
 * by a literal starting with another character (as in {@code tenant:{tenant}:{room}}), a variable ends at the first
 * character it cannot take, and one scan of the name decides; otherwise (two variables side by side, or a literal
 * such as {@code .} that a variable could also take) the name is matched against a regular expression with the
 * caller's claim values in place of the bound variables, which tries every split. Both accept exactly the same
 * names. A variable may appear only once in a pattern. Immutable and thread-safe.
 */
final class ChannelRule {

    private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z][A-Za-z0-9_]*)\\}");
    private static final int MAX_CHANNEL = 256;
    private static final int MAX_VARIABLE = 64;
    private static final String VARIABLE_TEXT = "[A-Za-z0-9_.-]{1," + MAX_VARIABLE + "}";

    private final MethodHandle accessor;
    /** Literal parts: {@code literals[i]} comes before variable {@code i}; the last one ends the name. */
    private final String[] literals;
    /** The regular expression when a variable's end is ambiguous, else null; it ignores the claims. */
    private final Pattern ambiguous;
    /** For each binding, the claim it reads and the index of its variable. */
    private final String[] boundClaims;
    private final int[] boundVariables;

    /** The pattern as declared, e.g. {@code tenant:{tenant}:{room}}: what metrics tag, never the name itself. */
    final String declared;

    ChannelRule(Channel channel, MethodHandle accessor, String where) {
        this.accessor = accessor;
        this.declared = channel.pattern();
        StringBuilder regex = new StringBuilder();
        List<String> variables = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        Matcher m = VARIABLE.matcher(channel.pattern());
        int last = 0;
        while (m.find()) {
            if (variables.contains(m.group(1))) {
                // Only one occurrence could be bound to the claim: the other would take any value.
                throw new GuardConfigException("@Channel on " + where + ": pattern '" + channel.pattern()
                        + "' names {" + m.group(1) + "} twice");
            }
            String literal = channel.pattern().substring(last, m.start());
            parts.add(literal);
            regex.append(Pattern.quote(literal));
            regex.append('(').append(VARIABLE_TEXT).append(')');
            variables.add(m.group(1));
            last = m.end();
        }
        String tail = channel.pattern().substring(last);
        parts.add(tail);
        regex.append(Pattern.quote(tail));
        this.literals = parts.toArray(String[]::new);
        boolean unique = true;
        for (int i = 1; i < literals.length; i++) {
            // a variable followed by nothing but the end, or by a literal it cannot take the first character of
            boolean atEnd = i == literals.length - 1;
            unique &= literals[i].isEmpty() ? atEnd : !variableChar(literals[i].charAt(0));
        }
        this.ambiguous = unique ? null : Pattern.compile(regex.toString());
        List<String> claims = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        for (String binding : channel.claims()) {
            int eq = binding.indexOf('=');
            String variable = (eq < 0 ? binding : binding.substring(0, eq)).trim();
            String claim = (eq < 0 ? binding : binding.substring(eq + 1)).trim();
            int index = variables.indexOf(variable);
            if (index < 0 || claim.isEmpty()) {
                throw new GuardConfigException("@Channel on " + where + ": '" + binding + "' does not name a"
                        + " variable of pattern '" + channel.pattern() + "' (use variable or variable=claim)");
            }
            claims.add(claim);
            indexes.add(index);
        }
        this.boundClaims = claims.toArray(String[]::new);
        this.boundVariables = indexes.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The message's channel name; for audit events of messages that {@link #allows passed} the rule. */
    String name(Object message) {
        try {
            return accessor.invoke(message) instanceof String channel ? channel : null;
        } catch (Throwable e) {
            return null;
        }
    }

    /** Whether the message's channel is one the caller may use. */
    boolean allows(Object message, JsonWebToken caller) {
        Object value;
        try {
            value = accessor.invoke(message);
        } catch (Throwable e) {
            return false;
        }
        return value instanceof String channel && allowsChannel(channel, caller);
    }

    /** Whether {@code channel} is one the caller may use: the same test for inbound messages and for delivery. */
    boolean allowsChannel(String channel, JsonWebToken caller) {
        if (channel.length() > MAX_CHANNEL) {
            return false;
        }
        if (ambiguous != null) {
            return ambiguous.matcher(channel).matches() && withClaims(caller).matcher(channel).matches();
        }
        int[] bounds = split(channel);
        if (bounds == null) {
            return false;
        }
        for (int i = 0; i < boundClaims.length; i++) {
            int v = boundVariables[i];
            if (!claimHolds(caller.getClaim(boundClaims[i]), channel, bounds[2 * v], bounds[2 * v + 1])) {
                return false;
            }
        }
        return true;
    }

    /** Start and end of each variable in {@code channel}, or null when it does not match; one left-to-right scan. */
    private int[] split(String channel) {
        int variables = literals.length - 1;
        int[] bounds = new int[2 * variables];
        int at = 0;
        for (int i = 0; ; i++) {
            String literal = literals[i];
            if (!channel.startsWith(literal, at)) {
                return null;
            }
            at += literal.length();
            if (i == variables) {
                return at == channel.length() ? bounds : null;
            }
            int start = at;
            while (at < channel.length() && at - start < MAX_VARIABLE && variableChar(channel.charAt(at))) {
                at++;
            }
            if (at == start) {
                return null;
            }
            bounds[2 * i] = start;
            bounds[2 * i + 1] = at;
        }
    }

    /**
     * The ambiguous pattern with each bound variable replaced by the caller's claim values, so that the regular
     * expression tries every split with the claims in place: matching first and comparing with the claims afterwards
     * would judge only the one split the matcher found, and refuse names the rule allows.
     */
    private Pattern withClaims(JsonWebToken caller) {
        StringBuilder regex = new StringBuilder();
        for (int v = 0; v < literals.length - 1; v++) {
            regex.append(Pattern.quote(literals[v]));
            List<String> values = null;
            for (int i = 0; i < boundClaims.length; i++) {
                if (boundVariables[i] == v) {
                    List<String> held = claimValues(caller.getClaim(boundClaims[i]));
                    if (values == null) {
                        values = held;
                    } else {
                        values.retainAll(held);
                    }
                }
            }
            if (values == null) {
                regex.append(VARIABLE_TEXT);
            } else {
                regex.append("(?:(?!)"); // never matches: a claim with no usable value allows nothing
                for (String value : values) {
                    if (value.length() <= MAX_VARIABLE && !value.isEmpty()
                            && value.chars().allMatch(c -> variableChar((char) c))) {
                        regex.append('|').append(Pattern.quote(value));
                    }
                }
                regex.append(')');
            }
        }
        return Pattern.compile(regex.append(Pattern.quote(literals[literals.length - 1])).toString());
    }

    /** The string values of a claim: itself, or the strings of a collection. */
    private static List<String> claimValues(Object claim) {
        List<String> values = new ArrayList<>();
        if (claim instanceof String s) {
            values.add(s);
        } else if (claim instanceof Collection<?> c) {
            for (Object element : c) {
                if (element instanceof String s) {
                    values.add(s);
                }
            }
        }
        return values;
    }

    private static boolean variableChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.'
                || c == '-';
    }

    private static boolean claimHolds(Object claim, String channel, int start, int end) {
        if (claim instanceof String s) {
            return sameText(s, channel, start, end);
        }
        if (claim instanceof Collection<?> c) {
            for (Object element : c) {
                if (element instanceof String s && sameText(s, channel, start, end)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean sameText(String claim, String channel, int start, int end) {
        return claim.length() == end - start && channel.regionMatches(start, claim, 0, claim.length());
    }
}
