package dev.wsguard.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The parts of an upgrade request the guard reads, for the length of the handshake check: nothing keeps a view
 * afterwards, so no reference to the runtime's request (or to the raw token it carries) outlives the handshake.
 * Header names are matched case-insensitively: Tyrus lower-cases them, Undertow keeps them as sent, and every entry
 * whose name matches counts (a header sent as {@code Origin} and as {@code ORIGIN} has two values). The headers are
 * read where they are, not copied: a handshake reads a handful of them. Where the runtime's map folds the case of
 * names itself (Tyrus: a map ordered case-insensitively, behind an unmodifiable view), one entry holds every spelling
 * of a name, and the map's own lookup finds it.
 *
 * @param path          the request path
 * @param headers       all headers, as the runtime gives them (read-only here)
 * @param parameters    query parameters
 * @param clientAddress the peer address, or null when the runtime does not expose it
 * @param foldedNames   whether {@code headers} matches names case-insensitively itself (then one entry a name)
 */
public record HandshakeView(String path, Map<String, List<String>> headers, Map<String, List<String>> parameters,
                            String clientAddress, boolean foldedNames) {

    /** A view of headers whose map may keep several spellings of a name apart. */
    public HandshakeView(String path, Map<String, List<String>> headers, Map<String, List<String>> parameters,
                         String clientAddress) {
        this(path, headers, parameters, clientAddress, false);
    }

    public HandshakeView {
        if (headers instanceof SortedMap<String, List<String>> sorted
                && sorted.comparator() == String.CASE_INSENSITIVE_ORDER) {
            foldedNames = true;
        }
        headers = headers == null ? Map.of() : Collections.unmodifiableMap(headers);
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    }

    /** All values of a header (each raw header line is one entry), empty when absent. */
    public List<String> header(String name) {
        if (foldedNames) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? List.of() : Collections.unmodifiableList(values);
        }
        List<String> found = null;
        boolean merged = false;
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            String key = header.getKey();
            List<String> values = header.getValue();
            if (key == null || values == null || values.isEmpty() || !key.equalsIgnoreCase(name)) {
                continue;
            }
            if (found == null) {
                found = values;
            } else {
                if (!merged) {
                    found = new ArrayList<>(found);
                    merged = true;
                }
                found.addAll(values);
            }
        }
        return found == null ? List.of() : Collections.unmodifiableList(found);
    }
}
