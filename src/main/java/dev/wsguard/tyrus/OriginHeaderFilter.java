package dev.wsguard.tyrus;

import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.util.DataChunk;
import org.glassfish.grizzly.http.util.MimeHeaders;

/**
 * Keeps the {@code Origin} header of an upgrade request as the client sent it. Tyrus splits header values on commas
 * and trims control characters before the guard reads them, so {@code "https://app.example,"} or
 * {@code "https://app.example\0"} would reach the allowlist as {@code https://app.example} and pass. This filter
 * percent-escapes every control character, space and comma inside the value Grizzly parsed ({@code %2C},
 * {@code %00}), which Tyrus then leaves alone: the allowlist sees a value no configured origin matches, refuses it
 * with 403 and the audit event shows what was sent. Grizzly's parser drops the spaces and tabs before the value
 * (HTTP's optional whitespace); any left after it or inside are escaped like the rest: browsers never send them.
 * Each upgrade request is read once: after the upgrade, every WebSocket read still arrives with that request as its
 * header, and an attribute of the request says it has been seen (the request's attributes are cleared when Grizzly
 * reuses it for the connection's next request; its notes are not).
 *
 * <p>Not a Grizzly filter of its own: {@link HandshakeTimeoutFilter} calls {@link #escapeOrigin} on every read before
 * the upgrade, from {@link FrameGuardFilter} (after the HTTP codec, directly in front of Tyrus's filter). Grizzly
 * keeps state for every filter of the chain on every connection, for the connection's whole life (28 bytes per
 * filter); one filter fewer.
 */
final class OriginHeaderFilter {

    private static final Attribute<Boolean> SEEN = Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(
            OriginHeaderFilter.class.getName() + ".seen");

    private static final String ORIGIN = "Origin";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private OriginHeaderFilter() {
    }

    /** Escapes the {@code Origin} header of an upgrade request read as {@code message}, once per request. */
    static void escapeOrigin(Object message) {
        if (message instanceof HttpContent content
                && content.getHttpHeader() instanceof HttpRequestPacket request && request.isUpgrade()
                && SEEN.get(request) == null) {
            SEEN.set(request, Boolean.TRUE);
            MimeHeaders headers = request.getHeaders();
            for (int i = 0; i < headers.size(); i++) {
                if (headers.getName(i).equalsIgnoreCase(ORIGIN)) {
                    DataChunk value = headers.getValue(i);
                    String sent = value.toString();
                    String escaped = escaped(sent);
                    if (escaped != null) {
                        value.setString(escaped);
                    }
                }
            }
        }
    }

    /** {@code value} with control characters, spaces and commas percent-escaped, or null when it has none. */
    static String escaped(String value) {
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean unfaithful = c <= ' ' || c == 0x7F || c == ',';
            if (unfaithful && out == null) {
                out = new StringBuilder(value.length() + 8).append(value, 0, i);
            }
            if (out != null) {
                if (unfaithful) {
                    out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? null : out.toString();
    }
}
