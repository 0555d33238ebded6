package dev.wsguard.message;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The strict reader on any text: the one-pass route (type key first) and the two separate passes give the same
 * answer for every input, and the answer is a record of the family or a documented refusal, never an exception.
 * Plain test runs replay the saved inputs; docs/fuzzing.md says how to fuzz.
 */
class StrictJsonReaderFuzzTest {

    private static final StrictJsonReader<FuzzMessage> DEFAULT_LIMITS = StrictJsonReader.of(FuzzMessage.class);
    /** Small limits, so that the fuzzer reaches each of them often. */
    private static final StrictJsonReader<FuzzMessage> SMALL_LIMITS = StrictJsonReader.of(FuzzMessage.class,
            new StrictJsonReader.Limits(4, 24, 24, 300));

    private static final List<String> TYPES = List.of("say", "total", "grid", "empty", "Say", "other");
    private static final List<String> KEYS = List.of("type", "text", "count", "amount", "previous", "rows",
            "items", "name", "id", "extra", "Type");
    private static final List<String> NUMBERS = List.of("0", "-0", "1", "-1", "2147483647", "2147483648",
            "-2147483649", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1.0", "1.5",
            "1e2", "1E400", "-0.0", "00", "1e-7", "12345678901234567890123");

    @FuzzTest
    @DictionaryEntries({"\"type\"", "\"say\"", "\"total\"", "\"grid\"", "\"empty\"", "\"text\"", "\"count\"",
            "\"amount\"", "\"previous\"", "\"rows\"", "\"items\"", "\"name\"", "\"id\"", "null", "true", "\\u0000",
            "\\ud800", "2147483648", "9223372036854775808"})
    void readWhenAnyInputThenBothRoutesGiveTheSameDocumentedAnswer(FuzzedDataProvider data) {
        StrictJsonReader<FuzzMessage> reader = data.consumeBoolean() ? SMALL_LIMITS : DEFAULT_LIMITS;
        String json = data.consumeBoolean() ? data.consumeRemainingAsString() : message(data);

        Decoded<FuzzMessage> onePass = reader.decode(json, true);
        Decoded<FuzzMessage> twoPasses = reader.decode(json, false);

        assertThat(onePass).as("one pass against two passes").isEqualTo(twoPasses);
        assertThat(reader.read(json)).isEqualTo(onePass);
        if (onePass instanceof Decoded.Ok<FuzzMessage> ok) {
            assertThat(ok.value()).isInstanceOfAny(FuzzMessage.Say.class, FuzzMessage.Total.class,
                    FuzzMessage.Grid.class, FuzzMessage.Empty.class);
        }
    }

    /** A message that is usually close to one of the family: keys and values from small sets, some of it raw. */
    private static String message(FuzzedDataProvider data) {
        StringBuilder json = new StringBuilder("{");
        int members = data.consumeInt(0, 5);
        boolean typeFirst = data.consumeBoolean();
        if (typeFirst) {
            json.append("\"type\":").append(quote(data.pickValue(TYPES)));
        }
        for (int i = 0; i < members; i++) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append(quote(data.consumeBoolean() ? data.pickValue(KEYS) : data.consumeString(6))).append(':');
            value(data, json, 0);
        }
        if (!typeFirst && data.consumeBoolean()) {
            json.append(json.length() > 1 ? "," : "").append("\"type\":").append(quote(data.pickValue(TYPES)));
        }
        json.append('}');
        if (data.consumeInt(0, 7) == 0) {
            json.append(data.consumeString(4));
        }
        return json.toString();
    }

    private static void value(FuzzedDataProvider data, StringBuilder json, int depth) {
        switch (data.consumeInt(0, 8)) {
            case 0 -> json.append(quote(data.consumeString(48)));
            case 1 -> json.append(data.pickValue(NUMBERS));
            case 2 -> json.append(data.consumeLong());
            case 3 -> json.append(data.pickValue(List.of("null", "true", "false")));
            case 4 -> json.append(data.consumeString(3)); // raw: not JSON, or a fragment of it
            case 5, 6 -> {
                json.append('[');
                int elements = depth > 20 ? 0 : data.consumeInt(0, 4);
                for (int i = 0; i < elements; i++) {
                    json.append(i == 0 ? "" : ",");
                    value(data, json, depth + 1);
                }
                json.append(']');
            }
            default -> {
                json.append('{');
                int members = depth > 20 ? 0 : data.consumeInt(0, 3);
                for (int i = 0; i < members; i++) {
                    json.append(i == 0 ? "" : ",").append(quote(data.pickValue(KEYS))).append(':');
                    value(data, json, depth + 1);
                }
                json.append('}');
            }
        }
    }

    /** A JSON string literal of {@code text}; control characters and lone surrogates escaped. */
    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c)) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }
}
