package dev.wsguard.internal;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parts of an upgrade request the guard reads, copied out of the runtime's request object so that no reference
 * to it (or to the raw token it carries) outlives the handshake. Header names are matched case-insensitively:
 * Tyrus lower-cases them, Undertow keeps them as sent.
 *
 * @param path          the request path
 * @param headers       all headers, case-insensitive names
 * @param parameters    query parameters
 * @param clientAddress the peer address, or null when the runtime does not expose it
 */
public record HandshakeView(String path, Map<String, List<String>> headers, Map<String, List<String>> parameters,
                            String clientAddress) {

    public HandshakeView {
        TreeMap<String, List<String>> folded = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            headers.forEach((name, values) -> {
                if (name != null && values != null) {
                    folded.merge(name, List.copyOf(values), (a, b) -> {
                        List<String> all = new java.util.ArrayList<>(a);
                        all.addAll(b);
                        return List.copyOf(all);
                    });
                }
            });
        }
        headers = java.util.Collections.unmodifiableMap(folded);
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    }

    /** All values of a header (each raw header line is one entry), empty when absent. */
    public List<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null ? List.of() : values;
    }
}
