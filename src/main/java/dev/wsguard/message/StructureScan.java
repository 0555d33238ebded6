package dev.wsguard.message;

import dev.wsguard.message.Decoded.Detail;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParser.Event;
import jakarta.json.stream.JsonParserFactory;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The first pass over a message: syntax, size, depth, string lengths, duplicate keys and trailing data, checked on
 * the streaming parser's events with an explicit stack, so no input can exhaust the thread's stack. It also picks
 * up the top-level type discriminator, which may come after the other members.
 *
 * <p>The first limit reached in reading order is the one reported: the length limit is enforced by the reader
 * under the parser, so 100,000 {@code [} is too deep (at the 17th) rather than too large, and no more than the limit
 * is ever read. Structure is checked before the top-level kind, for the same reason.
 */
final class StructureScan {

    /**
     * What the scan found.
     *
     * @param failure       the first structural problem, or null
     * @param discriminator the top-level type discriminator when it is a string, else null
     * @param typeKeySeen   whether the top-level object has the type key at all
     */
    record Outcome(Detail failure, String discriminator, boolean typeKeySeen) {
        static Outcome failed(Detail detail) {
            return new Outcome(detail, null, false);
        }
    }

    private StructureScan() {
    }

    static Outcome scan(JsonParserFactory parsers, String json, StrictJsonReader.Limits limits, String typeKey) {
        if (json == null) {
            return Outcome.failed(Detail.MALFORMED_JSON);
        }
        try (JsonParser parser = parsers.createParser(new BoundedReader(json, limits.maxMessageChars()))) {
            Event first = parser.next();
            // one key set per open object, null for an open array; its size is the current depth
            List<Set<String>> open = new ArrayList<>();
            if (!opens(first, open)) {
                return parser.hasNext() ? Outcome.failed(Detail.MALFORMED_JSON)
                        : Outcome.failed(Detail.NOT_AN_OBJECT);
            }
            int entries = 0;
            boolean typeKeySeen = false;
            boolean discriminatorNext = false;
            String discriminator = null;
            while (!open.isEmpty()) {
                Event event = parser.next();
                if (event == Event.END_OBJECT || event == Event.END_ARRAY) {
                    open.remove(open.size() - 1);
                    continue;
                }
                if (event == Event.KEY_NAME) {
                    String key = parser.getString();
                    if (key.length() > limits.maxStringLength()) {
                        return Outcome.failed(Detail.STRING_TOO_LONG);
                    }
                    if (!open.get(open.size() - 1).add(key)) {
                        return Outcome.failed(Detail.DUPLICATE_KEY);
                    }
                    discriminatorNext = open.size() == 1 && key.equals(typeKey);
                    typeKeySeen |= discriminatorNext;
                    continue;
                }
                if (++entries > limits.maxEntries()) {
                    return Outcome.failed(Detail.TOO_LARGE);
                }
                if (event == Event.VALUE_STRING) {
                    String value = parser.getString();
                    if (value.length() > limits.maxStringLength()) {
                        return Outcome.failed(Detail.STRING_TOO_LONG);
                    }
                    if (discriminatorNext) {
                        discriminator = value;
                    }
                } else if (opens(event, open) && open.size() > limits.maxDepth()) {
                    return Outcome.failed(Detail.TOO_DEEP);
                }
                discriminatorNext = false;
            }
            if (parser.hasNext()) {
                return Outcome.failed(Detail.MALFORMED_JSON);
            }
            if (first != Event.START_OBJECT) {
                return Outcome.failed(Detail.NOT_AN_OBJECT);
            }
            return new Outcome(null, discriminator, typeKeySeen);
        } catch (RuntimeException malformed) {
            // JsonParsingException, JsonException, NoSuchElementException at a premature end, and parsson's own
            // plain RuntimeException for nesting beyond 1000 (never reached: our limit is lower)
            for (Throwable cause = malformed; cause != null; cause = cause.getCause()) {
                if (cause instanceof TooLarge) {
                    return Outcome.failed(Detail.TOO_LARGE);
                }
            }
            return Outcome.failed(Detail.MALFORMED_JSON);
        }
    }

    /** Hands the parser at most {@code limit} characters, then fails if there is more. */
    private static final class BoundedReader extends Reader {
        private final String text;
        private final int end;
        private int position;

        BoundedReader(String text, int limit) {
            this.text = text;
            this.end = Math.min(text.length(), limit);
        }

        @Override
        public int read(char[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (position == end) {
                if (end < text.length()) {
                    throw new TooLarge();
                }
                return -1;
            }
            int count = Math.min(length, end - position);
            text.getChars(position, position + count, buffer, offset);
            position += count;
            return count;
        }

        @Override
        public void close() {
            // nothing to release
        }
    }

    /** The message goes on past the limit. An IOException, so that a parser may wrap it but not mistake it. */
    private static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // routine and attacker-triggered: no stack trace
        }
    }

    private static boolean opens(Event event, List<Set<String>> open) {
        if (event == Event.START_OBJECT) {
            open.add(new HashSet<>());
            return true;
        }
        if (event == Event.START_ARRAY) {
            open.add(null);
            return true;
        }
        return false;
    }
}
