package dev.wsguard.probe.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The top-level members of a JSON object as raw text, enough to change one claim of a token and keep the others
 * byte for byte. Not a validating parser: it finds where members start and end, strings and nesting respected.
 */
final class Json {

    private Json() {
    }

    /** Name (with its quotes) and value (raw) of each top-level member of {@code object}. */
    static List<String[]> members(String object) {
        String s = object.strip();
        if (!s.startsWith("{") || !s.endsWith("}")) {
            throw new Outcome.Skip("not a JSON object");
        }
        List<String[]> members = new ArrayList<>();
        int i = 1;
        int end = s.length() - 1;
        while (true) {
            i = skipSpace(s, i);
            if (i >= end) {
                return members;
            }
            int nameEnd = stringEnd(s, i);
            String name = s.substring(i, nameEnd);
            i = skipSpace(s, nameEnd);
            if (s.charAt(i) != ':') {
                throw new Outcome.Skip("not a JSON object");
            }
            int valueStart = skipSpace(s, i + 1);
            int valueEnd = valueEnd(s, valueStart, end);
            members.add(new String[] {name, s.substring(valueStart, valueEnd).strip()});
            i = valueEnd < end ? valueEnd + 1 : end;
        }
    }

    /** {@code object} with member {@code name} set to {@code rawValue} (added last when absent). */
    static String with(String object, String name, String rawValue) {
        String quoted = "\"" + name + "\"";
        List<String[]> members = members(object);
        boolean found = false;
        for (String[] m : members) {
            if (m[0].equals(quoted)) {
                m[1] = rawValue;
                found = true;
            }
        }
        if (!found) {
            members.add(new String[] {quoted, rawValue});
        }
        return write(members);
    }

    /** {@code object} without member {@code name}. */
    static String without(String object, String name) {
        String quoted = "\"" + name + "\"";
        return write(members(object).stream().filter(m -> !m[0].equals(quoted)).toList());
    }

    /** The raw value of member {@code name}, or null. */
    static String get(String object, String name) {
        String quoted = "\"" + name + "\"";
        return members(object).stream().filter(m -> m[0].equals(quoted)).map(m -> m[1]).findFirst().orElse(null);
    }

    private static String write(List<String[]> members) {
        StringBuilder out = new StringBuilder("{");
        for (String[] m : members) {
            out.append(out.length() > 1 ? "," : "").append(m[0]).append(':').append(m[1]);
        }
        return out.append('}').toString();
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && (Character.isWhitespace(s.charAt(i)) || s.charAt(i) == ',')) {
            i++;
        }
        return i;
    }

    private static int stringEnd(String s, int i) {
        if (s.charAt(i) != '"') {
            throw new Outcome.Skip("not a JSON object");
        }
        for (int j = i + 1; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c == '\\') {
                j++;
            } else if (c == '"') {
                return j + 1;
            }
        }
        throw new Outcome.Skip("not a JSON object");
    }

    private static int valueEnd(String s, int i, int end) {
        int depth = 0;
        for (int j = i; j < end; j++) {
            char c = s.charAt(j);
            if (c == '"') {
                j = stringEnd(s, j) - 1;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                return j;
            }
        }
        return end;
    }
}
