package dev.wsguard.probe.internal;

import dev.wsguard.probe.MessageAttack;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hostile variants of the operator's sample message, each differing from it in one way so that an answer shows which
 * way got through. Built as text: the point is to send what a JSON library would not write.
 */
final class Payloads {

    private static final Pattern TYPE = Pattern.compile("\"type\"\\s*:\\s*\"(?:[^\"\\\\]|\\\\.)*\"");

    private Payloads() {
    }

    /** The sample cut short: its closing brace missing. */
    static String malformed(String sample) {
        return sample.substring(0, sample.length() - 1);
    }

    /** The sample with its {@code type} replaced by one the endpoint cannot know. */
    static String unknownType(String sample) {
        Matcher m = TYPE.matcher(sample);
        if (!m.find()) {
            throw new Outcome.Skip("the sample has no \"type\" string member");
        }
        return m.replaceFirst("\"type\":\"wsguard-probe-unknown\"");
    }

    /** The sample with one more member in front. */
    static String withMember(String sample, String name, String jsonValue) {
        String rest = sample.substring(1).strip();
        return "{\"" + name + "\":" + jsonValue + (rest.equals("}") ? "}" : "," + rest);
    }

    /**
     * The sample with one member written twice: first with another value, then as it was, so that a parser keeping
     * the last value sees the sample and one keeping the first sees something else. The member is the first one but
     * {@code type} when there is one (then both parsers reach the handler), else {@code type}.
     */
    static String duplicateKey(String sample) {
        List<String[]> members = Json.members(sample);
        if (members.isEmpty()) {
            throw new Outcome.Skip("the sample has no member");
        }
        String[] chosen = members.stream().filter(m -> !m[0].equals("\"type\"")).findFirst().orElse(members.get(0));
        StringBuilder out = new StringBuilder("{");
        for (String[] m : members) {
            if (m == chosen) {
                out.append(m[0]).append(':').append(m[1].startsWith("\"") ? "\"wsguard-probe\"" : "0").append(',');
            }
            out.append(m[0]).append(':').append(m[1]).append(',');
        }
        return out.substring(0, out.length() - 1) + "}";
    }

    /**
     * The sample with {@code rawValue} in its first member but {@code type}, a field the endpoint reads; added as
     * {@code name} when the sample has no other member.
     */
    static String inField(String sample, String name, String rawValue) {
        return Json.members(sample).stream().map(m -> m[0]).filter(n -> !n.equals("\"type\"")).findFirst()
                .map(n -> Json.with(sample, n.substring(1, n.length() - 1), rawValue))
                .orElseGet(() -> withMember(sample, name, rawValue));
    }

    /** Arrays nested as deep as the size limit allows, up to 2,000, in a field of the sample. */
    static String deepNesting(MessageAttack.Given given) {
        int room = given.maxMessageBytes() - given.sample().length() - 40;
        int depth = Math.min(2000, room / 2);
        if (depth < 64) {
            throw new Outcome.Skip("the size limit leaves no room for deep nesting");
        }
        return inField(given.sample(), "wsguardProbeDeep", nested(depth));
    }

    /** Nested arrays {@code depth} deep. */
    static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    /** The sample padded with a string member to exactly {@code bytes} UTF-8 bytes (ASCII only). */
    static String padded(String sample, int bytes) {
        String shell = withMember(sample, "wsguardProbePad", "\"\"");
        int pad = bytes - shell.length();
        if (pad < 0) {
            throw new Outcome.Skip("the sample is already over " + bytes + " bytes");
        }
        return withMember(sample, "wsguardProbePad", "\"" + "x".repeat(pad) + "\"");
    }
}
