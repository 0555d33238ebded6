package dev.wsguard.probe.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hostile variants of the operator's sample message, each differing from it in one way so that an answer shows which
 * way got through. Built as text: the point is to send what a JSON library would not write.
 */
final class Payloads {

    private static final Pattern TYPE = Pattern.compile("\"type\"\\s*:\\s*\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern FIRST_MEMBER = Pattern.compile(
            "^\\{\\s*(\"(?:[^\"\\\\]|\\\\.)*\")\\s*:\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|-?\\d[\\d.eE+-]*|true|false|null)");

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
     * The sample with its first member written twice: first with another value, then as it was, so a parser that
     * keeps the last value sees the sample and one that keeps the first sees something else.
     */
    static String duplicateKey(String sample) {
        Matcher m = FIRST_MEMBER.matcher(sample);
        if (!m.find()) {
            throw new Outcome.Skip("the sample's first member is not a plain value");
        }
        String other = m.group(2).startsWith("\"") ? "\"wsguard-probe\"" : "0";
        return "{" + m.group(1) + ":" + other + "," + sample.substring(1).strip();
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
