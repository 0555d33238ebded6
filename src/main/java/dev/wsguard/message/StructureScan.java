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
 * The streaming parser's events, checked for structure as they are read: size, depth, string lengths, entries,
 * duplicate keys, with an explicit stack, so no input can exhaust the thread's stack. The first limit reached in
 * reading order is the one reported: the length limit is enforced by the reader under the parser, so 100,000
 * {@code [} is too deep (at the 17th) rather than too large, and no more than the limit is ever read.
 *
 * <p>Two ways to use it. {@link #scan} reads a whole message for its structure alone and picks up the top-level
 * type discriminator wherever it is. {@link #checkedShape} is the one pass for the usual message, whose first
 * member is the type key: the record's shape is checked on the same events the structure is, so an accepted message
 * is parsed once before binding. Whatever that pass cannot accept goes to the two separate passes, which decide
 * exactly why (structure before shape), so both paths refuse the same messages with the same detail.
 */
final class StructureScan {

    /**
     * What a whole-message scan found.
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

    private final JsonParser parser;
    private final StrictJsonReader.Limits limits;
    private final String typeKey;
    /** One key set per open object (made at its first key), null for an open array; size = current depth. */
    private final List<Set<String>> open = new ArrayList<>(8);
    private int entries;
    private String string;
    private boolean discriminatorNext;
    private boolean typeKeySeen;
    private String discriminator;

    private StructureScan(JsonParser parser, StrictJsonReader.Limits limits, String typeKey) {
        this.parser = parser;
        this.limits = limits;
        this.typeKey = typeKey;
    }

    /**
     * The next event, after checking it.
     *
     * @throws Refused at the first structural problem
     */
    Event next() {
        Event event = parser.next();
        string = null;
        int depth = open.size();
        if (depth == 0) {
            // The top-level value: a container opens, anything else is judged by the caller.
            if (event == Event.START_OBJECT || event == Event.START_ARRAY) {
                open.add(event == Event.START_OBJECT ? Set.of() : null);
            }
            return event;
        }
        switch (event) {
            case END_OBJECT, END_ARRAY -> open.remove(depth - 1);
            case KEY_NAME -> {
                String key = string();
                if (key.length() > limits.maxStringLength()) {
                    throw new Refused(Detail.STRING_TOO_LONG);
                }
                Set<String> keys = open.get(depth - 1);
                if (keys.isEmpty()) {
                    keys = new HashSet<>(8);
                    open.set(depth - 1, keys);
                }
                if (!keys.add(key)) {
                    throw new Refused(Detail.DUPLICATE_KEY);
                }
                discriminatorNext = depth == 1 && key.equals(typeKey);
                typeKeySeen |= discriminatorNext;
                return event;
            }
            default -> {
                if (++entries > limits.maxEntries()) {
                    throw new Refused(Detail.TOO_LARGE);
                }
                if (event == Event.VALUE_STRING) {
                    String value = string();
                    if (value.length() > limits.maxStringLength()) {
                        throw new Refused(Detail.STRING_TOO_LONG);
                    }
                    if (discriminatorNext) {
                        discriminator = value;
                    }
                } else if (event == Event.START_OBJECT || event == Event.START_ARRAY) {
                    open.add(event == Event.START_OBJECT ? Set.of() : null);
                    if (depth + 1 > limits.maxDepth()) {
                        throw new Refused(Detail.TOO_DEEP);
                    }
                }
            }
        }
        discriminatorNext = false;
        return event;
    }

    /** The current key, string or number literal; read from the parser once per event. */
    String string() {
        if (string == null) {
            string = parser.getString();
        }
        return string;
    }

    /** How many objects and arrays are open. */
    int depth() {
        return open.size();
    }

    /** Reads a whole message for its structure alone. Never throws. */
    static Outcome scan(JsonParserFactory parsers, String json, StrictJsonReader.Limits limits, String typeKey) {
        if (json == null) {
            return Outcome.failed(Detail.MALFORMED_JSON);
        }
        try (JsonParser parser = parsers.createParser(new BoundedReader(json, limits.maxMessageChars()))) {
            StructureScan events = new StructureScan(parser, limits, typeKey);
            Event first = events.next();
            if (events.depth() == 0) {
                return parser.hasNext() ? Outcome.failed(Detail.MALFORMED_JSON) : Outcome.failed(Detail.NOT_AN_OBJECT);
            }
            while (events.depth() > 0) {
                events.next();
            }
            if (parser.hasNext()) {
                return Outcome.failed(Detail.MALFORMED_JSON);
            }
            if (first != Event.START_OBJECT) {
                return Outcome.failed(Detail.NOT_AN_OBJECT);
            }
            return new Outcome(null, events.discriminator, events.typeKeySeen);
        } catch (Refused refused) {
            return Outcome.failed(refused.detail);
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

    /**
     * Checks the structure of a message that already passed {@link #scan}, over the same events, for its record
     * shape to read: the checks cannot fail again, but the shape needs the events.
     */
    static StructureScan over(JsonParser parser, StrictJsonReader.Limits limits, String typeKey) {
        return new StructureScan(parser, limits, typeKey);
    }

    /**
     * The one pass: structure and the record's shape together, for a message whose first member is the type key
     * with a known alias. Never throws.
     *
     * @return the shape the whole message fits, structure included; null when this pass cannot accept the message
     *         (any problem, or the type key elsewhere): then {@link #scan} and a shape check decide
     */
    static Shape.RecordOf checkedShape(JsonParserFactory parsers, String json, StrictJsonReader.Limits limits,
                                       MessageSchema schema) {
        if (json == null) {
            return null;
        }
        try (JsonParser parser = parsers.createParser(new BoundedReader(json, limits.maxMessageChars()))) {
            String typeKey = schema.typeKey();
            StructureScan events = new StructureScan(parser, limits, typeKey);
            if (events.next() != Event.START_OBJECT || events.next() != Event.KEY_NAME
                    || !typeKey.equals(events.string()) || events.next() != Event.VALUE_STRING) {
                return null;
            }
            Shape.RecordOf shape = schema.shape(events.string());
            if (shape == null || shape.members(events, typeKey) != null || parser.hasNext()) {
                return null;
            }
            return shape;
        } catch (RuntimeException refusedOrMalformed) {
            return null;
        }
    }

    /** A structural limit was reached; routine and attacker-triggered, so without a stack trace. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        final transient Detail detail;

        Refused(Detail detail) {
            super(detail.name(), null, false, false);
            this.detail = detail;
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
}
