package dev.wsguard.probe.internal;

/** Short, printable renderings of what a server sent, for the observation column. */
final class Text {

    private Text() {
    }

    /** {@code s} with control characters shown as {@code ?} and cut to {@code max} characters. */
    static String clip(String s, int max) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), max + 1));
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() > max ? b.append('…').toString() : b.toString();
    }

    /** {@code s} with every occurrence of each secret replaced, so an observation never carries a token. */
    static String redact(String s, Iterable<String> secrets) {
        String out = s;
        for (String secret : secrets) {
            if (secret != null && secret.length() >= 8) {
                out = out.replace(secret, "<token>");
            }
        }
        return out;
    }
}
