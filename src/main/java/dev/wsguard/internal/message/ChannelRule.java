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
 * A compiled {@link Channel} rule: the pattern as a regular expression with one group per variable, and the
 * variables bound to claims. Immutable and thread-safe.
 */
final class ChannelRule {

    private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z][A-Za-z0-9_]*)\\}");
    private static final int MAX_CHANNEL = 256;

    private final MethodHandle accessor;
    private final Pattern pattern;
    private final List<String> boundClaims;
    private final List<Integer> boundGroups;

    /** The pattern as declared, e.g. {@code tenant:{tenant}:{room}}: what metrics tag, never the name itself. */
    final String declared;

    ChannelRule(Channel channel, MethodHandle accessor, String where) {
        this.accessor = accessor;
        this.declared = channel.pattern();
        StringBuilder regex = new StringBuilder();
        List<String> variables = new ArrayList<>();
        Matcher m = VARIABLE.matcher(channel.pattern());
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(channel.pattern().substring(last, m.start())));
            regex.append("([A-Za-z0-9_.-]{1,64})");
            variables.add(m.group(1));
            last = m.end();
        }
        regex.append(Pattern.quote(channel.pattern().substring(last)));
        this.pattern = Pattern.compile(regex.toString());
        List<String> claims = new ArrayList<>();
        List<Integer> groups = new ArrayList<>();
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
            groups.add(index + 1);
        }
        this.boundClaims = List.copyOf(claims);
        this.boundGroups = List.copyOf(groups);
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
        Matcher m = pattern.matcher(channel);
        if (!m.matches()) {
            return false;
        }
        for (int i = 0; i < boundClaims.size(); i++) {
            if (!claimHolds(caller.getClaim(boundClaims.get(i)), m.group(boundGroups.get(i)))) {
                return false;
            }
        }
        return true;
    }

    private static boolean claimHolds(Object claim, String value) {
        if (claim instanceof String s) {
            return s.equals(value);
        }
        if (claim instanceof Collection<?> c) {
            return c.contains(value);
        }
        return false;
    }
}
