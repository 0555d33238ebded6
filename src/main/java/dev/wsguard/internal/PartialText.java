package dev.wsguard.internal;

import jakarta.websocket.Session;

import java.util.Map;

/**
 * Assembles a text message from the parts the runtime delivers, refusing it at the first part that takes it over
 * the cap, so an oversized message is never held whole: Undertow (WildFly) does not enforce a text size at all, and
 * Tyrus (Payara) buffers the whole message before its own check and then keeps the session reachable. At most the
 * cap plus one part is held per session. Not thread-safe per session: runtimes deliver one part at a time.
 */
public final class PartialText {

    private static final String KEY = "dev.wsguard.partial-text";

    private final StringBuilder text = new StringBuilder();
    private long bytes;
    /** After a refusal the rest of the same message is dropped: Undertow keeps delivering it. */
    private boolean discarding;

    private PartialText() {
    }

    /**
     * Adds {@code part} to the session's message in progress.
     *
     * @param maxBytes the cap on a whole message, in UTF-8 bytes
     * @param tooBig   run once, at the part that takes the message over the cap
     * @return the whole message when {@code part} completed it within the cap, else null
     */
    public static String add(Session session, String part, boolean last, int maxBytes, Runnable tooBig) {
        Map<String, Object> props = session.getUserProperties();
        PartialText state = (PartialText) props.get(KEY);
        if (state == null) {
            if (last && utf8Length(part, maxBytes) <= maxBytes) {
                return part; // one part, the common case: never copied
            }
            state = new PartialText();
            props.put(KEY, state);
        }
        if (last) {
            props.remove(KEY);
        }
        if (state.discarding) {
            return null;
        }
        state.bytes += utf8Length(part, maxBytes);
        if (state.bytes > maxBytes) {
            state.discarding = true;
            state.text.setLength(0);
            state.text.trimToSize();
            tooBig.run();
            return null;
        }
        state.text.append(part);
        return last ? state.text.toString() : null;
    }

    /** UTF-8 length of {@code s}, exact up to {@code limit}; above it, only known to be above. */
    private static long utf8Length(String s, int limit) {
        int chars = s.length();
        if (chars > limit) {
            return chars;
        }
        long bytes = 0;
        for (int i = 0; i < chars; i++) {
            char c = s.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }
}
