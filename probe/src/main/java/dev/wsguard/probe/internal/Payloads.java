package dev.wsguard.probe.internal;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.JSONStringUtils;
import dev.wsguard.probe.MessageAttack;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hostile variants of the operator's sample message, each differing from it in one way so that an answer shows which
 * way got through. The sample is read with Nimbus's JSON parser; what a JSON library would not write (a number no
 * double holds, a key twice) is spliced in as text after the rest is written by that library.
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
        Map<String, Object> members = object(sample);
        if (members.isEmpty()) {
            throw new Outcome.Skip("the sample has no member");
        }
        String chosen = members.keySet().stream().filter(n -> !n.equals("type")).findFirst().orElse("type");
        Object value = members.get(chosen);
        String first = value instanceof String ? "\"wsguard-probe\"" : "0";
        return spliced(members, chosen, first + "," + JSONStringUtils.toJSONString(chosen) + ":" + written(value));
    }

    /**
     * The sample with {@code rawValue} in its first member but {@code type}, a field the endpoint reads; added as
     * {@code name} when the sample has no other member.
     */
    static String inField(String sample, String name, String rawValue) {
        Map<String, Object> members = object(sample);
        return members.keySet().stream().filter(n -> !n.equals("type")).findFirst()
                .map(n -> spliced(members, n, rawValue))
                .orElseGet(() -> withMember(sample, name, rawValue));
    }

    /**
     * {@code message} once for each of its string members but {@code type}, with that member set to {@code value}
     * (at most four); when it has none, once with a member {@code name} added.
     */
    static List<String> everyString(String message, String value, String name) {
        Map<String, Object> members = object(message);
        List<String> variants = new ArrayList<>();
        for (Map.Entry<String, Object> member : members.entrySet()) {
            if (member.getValue() instanceof String && !member.getKey().equals("type") && variants.size() < 4) {
                Map<String, Object> changed = new LinkedHashMap<>(members);
                changed.put(member.getKey(), value);
                variants.add(JSONObjectUtils.toJSONString(changed));
            }
        }
        if (variants.isEmpty()) {
            variants.add(withMember(message, name, written(value)));
        }
        return variants;
    }

    /**
     * True when {@code answer} is a JSON object or array and every {@code value} in it has its leading quote escaped
     * ({@code \"}): the value is inside a string there, as data. False for any other answer carrying it: an HTML
     * fragment, or a reply written by concatenation that the quote broke out of.
     */
    static boolean escapedJson(String answer, String value) {
        try {
            if (answer.strip().startsWith("[")) {
                com.nimbusds.jose.util.JSONArrayUtils.parse(answer);
            } else {
                JSONObjectUtils.parse(answer);
            }
        } catch (ParseException | RuntimeException e) {
            return false;
        }
        String bare = value.substring(1);
        for (int at = answer.indexOf(bare); at >= 0; at = answer.indexOf(bare, at + 1)) {
            if (at < 2 || !answer.startsWith("\\\"", at - 2)) {
                return false;
            }
        }
        return true;
    }

    /** The top-level members of {@code json}, in order, read by Nimbus (Gson); skipped when it is no JSON object. */
    static Map<String, Object> object(String json) {
        try {
            return JSONObjectUtils.parse(json);
        } catch (ParseException e) {
            throw new Outcome.Skip("not a JSON object");
        }
    }

    /**
     * {@code members} written by Nimbus without member {@code name}, then {@code "name":rawValue} spliced in as text
     * before the closing brace: the raw value is sent as given, not escaped nor checked.
     */
    static String spliced(Map<String, Object> members, String name, String rawValue) {
        Map<String, Object> rest = new LinkedHashMap<>(members);
        rest.remove(name);
        String written = JSONObjectUtils.toJSONString(rest);
        return written.substring(0, written.length() - 1) + (rest.isEmpty() ? "" : ",")
                + JSONStringUtils.toJSONString(name) + ":" + rawValue + "}";
    }

    /** One JSON value as Nimbus writes it. */
    private static String written(Object value) {
        String member = JSONObjectUtils.toJSONString(Collections.singletonMap("", value));
        return member.substring("{\"\":".length(), member.length() - 1);
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

    /** {@code message} (ASCII) cut into {@code parts} fragments of about equal length, in order. */
    static List<String> fragments(String message, int parts) {
        int part = (message.length() + parts - 1) / parts;
        List<String> fragments = new ArrayList<>();
        for (int offset = 0; offset < message.length(); offset += part) {
            fragments.add(message.substring(offset, Math.min(message.length(), offset + part)));
        }
        return fragments;
    }

    /**
     * The sample with a string member of {@code count} times {@code size} characters: in one frame when
     * {@code count} is 1; else its head, {@code count} fragments of {@code size} characters (one string, shared),
     * and its tail.
     */
    static List<String> huge(String sample, int count, int size) {
        String name = "wsguardProbePad";
        String shell = withMember(sample, name, "\"\"");
        int cut = ("{\"" + name + "\":\"").length();
        String pad = "x".repeat(size);
        if (count == 1) {
            return List.of(shell.substring(0, cut) + pad + shell.substring(cut));
        }
        List<String> fragments = new ArrayList<>(Collections.nCopies(count + 2, pad));
        fragments.set(0, shell.substring(0, cut));
        fragments.set(count + 1, shell.substring(cut));
        return fragments;
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
