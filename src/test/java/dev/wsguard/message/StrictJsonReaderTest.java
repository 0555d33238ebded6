package dev.wsguard.message;

import dev.wsguard.message.Decoded.Detail;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StrictJsonReaderTest {

    private static final StrictJsonReader<ChatMessage> CHAT = StrictJsonReader.of(ChatMessage.class);
    private static final StrictJsonReader<TypedMessage> TYPED = StrictJsonReader.of(TypedMessage.class);

    private static Decoded<ChatMessage> chat(String json) {
        return CHAT.read(json);
    }

    private static Decoded<TypedMessage> typed(String json) {
        return TYPED.read(json);
    }

    private static Decoded<Object> malformed(Detail detail) {
        return new Decoded.Malformed<>(detail);
    }

    private static Decoded<Object> invalid() {
        return new Decoded.Invalid<>(Detail.CONSTRAINT_VIOLATION);
    }

    private static <T> Decoded<T> ok(T value) {
        return new Decoded.Ok<>(value);
    }

    // ---- valid messages

    @Test
    void readWhenSubscribeThenOk() {
        assertThat(chat("{\"type\":\"subscribe\",\"channel\":\"news\"}"))
                .isEqualTo(ok(new ChatMessage.Subscribe("news")));
    }

    @Test
    void readWhenPublishThenOk() {
        assertThat(chat("{\"type\":\"publish\",\"channel\":\"news\",\"text\":\"hello\\nworld\"}"))
                .isEqualTo(ok(new ChatMessage.Publish("news", "hello\nworld")));
    }

    @Test
    void readWhenPingThenOk() {
        assertThat(chat("{\"type\":\"ping\"}")).isEqualTo(ok(new ChatMessage.Ping()));
    }

    @Test
    void readWhenTypeKeyComesLastAndWhitespaceAroundThenOk() {
        assertThat(chat(" {\"channel\" : \"news\", \"type\":\"subscribe\"}\n"))
                .isEqualTo(ok(new ChatMessage.Subscribe("news")));
    }

    @Test
    void readWhenEveryNumericTypeAtItsBoundsThenOk() {
        assertThat(typed("{\"kind\":\"numbers\",\"i\":-2147483648,\"l\":9223372036854775807,\"s\":32767,"
                + "\"b\":-128,\"d\":1.7976931348623157e308,\"f\":-1.5}"))
                .isEqualTo(ok(new TypedMessage.Numbers(Integer.MIN_VALUE, Long.MAX_VALUE, Short.MAX_VALUE,
                        Byte.MIN_VALUE, Double.MAX_VALUE, -1.5f)));
    }

    @Test
    void readWhenBoxedComponentsAbsentOrNullThenOkWithNulls() {
        assertThat(typed("{\"kind\":\"boxed\",\"i\":null}")).isEqualTo(ok(new TypedMessage.Boxed(null, null, null,
                null)));
        assertThat(typed("{\"kind\":\"boxed\",\"i\":7,\"l\":-7,\"d\":0.5,\"flag\":true}"))
                .isEqualTo(ok(new TypedMessage.Boxed(7, -7L, 0.5, true)));
    }

    @Test
    void readWhenEverySupportedScalarThenOk() {
        UUID id = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
        assertThat(typed("{\"kind\":\"misc\",\"text\":\"t\",\"letter\":\"x\",\"flag\":true,\"color\":\"GREEN\","
                + "\"id\":\"" + id + "\",\"at\":\"2024-05-01T10:00:00Z\",\"note\":\"n\",\"renamed\":\"r\"}"))
                .isEqualTo(ok(new TypedMessage.Misc("t", 'x', true, TypedMessage.Color.GREEN, id,
                        Instant.parse("2024-05-01T10:00:00Z"), Optional.of("n"), "r")));
    }

    @Test
    void readWhenNestedRecordsAndCollectionsThenOk() {
        Decoded<TypedMessage> decoded = typed("{\"kind\":\"nested\",\"point\":{\"x\":1,\"y\":2},"
                + "\"path\":[{\"x\":3,\"y\":4}],\"counts\":{\"a\":1,\"b\":null},\"codes\":[5,6],"
                + "\"tags\":[\"t\"],\"numbers\":[7,null]}");
        assertThat(decoded).isInstanceOf(Decoded.Ok.class);
        TypedMessage.Nested nested = (TypedMessage.Nested) ((Decoded.Ok<TypedMessage>) decoded).value();
        assertThat(nested.point()).isEqualTo(new TypedMessage.Point(1, 2));
        assertThat(nested.path()).containsExactly(new TypedMessage.Point(3, 4));
        assertThat(nested.counts()).containsExactlyInAnyOrderEntriesOf(mapOf("a", 1, "b", null));
        assertThat(nested.codes()).containsExactly(5, 6);
        assertThat(nested.tags()).containsExactly("t");
        assertThat(nested.numbers()).containsExactly(7, null);
    }

    @Test
    void readWhenEveryOtherSupportedTypeThenBoundAsChecked() {
        Decoded<TypedMessage> decoded = typed("{\"kind\":\"wide\",\"notes\":[\"n\"],\"words\":[\"w\",null],"
                + "\"groups\":[[\"g\"]],\"bytes\":[-128,127],\"s\":-32768,\"b\":127,\"f\":1.5,\"c\":\"z\","
                + "\"maybe\":3,\"routes\":{\"r\":[{\"x\":1,\"y\":2}]},\"uri\":\"https://example.com/a\","
                + "\"date\":\"2024-02-29\",\"time\":\"23:59:59\",\"local\":\"2024-02-29T23:59:59\","
                + "\"offset\":\"2024-02-29T23:59:59+01:00\",\"zoned\":\"2024-02-29T23:59:59+01:00[Europe/Paris]\","
                + "\"duration\":\"PT1M\"}");
        assertThat(decoded).isInstanceOf(Decoded.Ok.class);
        TypedMessage.Wide wide = (TypedMessage.Wide) ((Decoded.Ok<TypedMessage>) decoded).value();
        assertThat(wide.notes()).containsExactly("n");
        assertThat(wide.words()).containsExactly("w", null);
        assertThat(wide.groups()).hasSize(1);
        assertThat(wide.groups()[0]).containsExactly("g");
        assertThat(wide.bytes()).containsExactly(-128, 127);
        assertThat(wide.s()).isEqualTo((short) -32768);
        assertThat(wide.b()).isEqualTo((byte) 127);
        assertThat(wide.f()).isEqualTo(1.5f);
        assertThat(wide.c()).isEqualTo('z');
        assertThat(wide.maybe()).contains(3);
        assertThat(wide.routes()).containsOnlyKeys("r");
        assertThat(wide.routes().get("r")).containsExactly(new TypedMessage.Point(1, 2));
        assertThat(wide.uri()).isEqualTo(java.net.URI.create("https://example.com/a"));
        assertThat(wide.date()).isEqualTo(java.time.LocalDate.of(2024, 2, 29));
        assertThat(wide.time()).isEqualTo(java.time.LocalTime.of(23, 59, 59));
        assertThat(wide.local()).isEqualTo(java.time.LocalDateTime.of(2024, 2, 29, 23, 59, 59));
        assertThat(wide.offset()).isEqualTo(java.time.OffsetDateTime.parse("2024-02-29T23:59:59+01:00"));
        assertThat(wide.zoned()).isEqualTo(java.time.ZonedDateTime.parse("2024-02-29T23:59:59+01:00[Europe/Paris]"));
        assertThat(wide.duration()).isEqualTo(java.time.Duration.ofMinutes(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"kind\":\"wide\",\"bytes\":[128]}",
            "{\"kind\":\"wide\",\"s\":32768}",
            "{\"kind\":\"wide\",\"b\":-129}",
            "{\"kind\":\"wide\",\"f\":3.5e38}",
            "{\"kind\":\"wide\",\"maybe\":2147483648}"})
    void readWhenBoxedOrNestedNumberDoesNotFitThenNumberOutOfRange(String json) {
        assertThat(typed(json)).isEqualTo(malformed(Detail.NUMBER_OUT_OF_RANGE));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"kind\":\"wide\",\"words\":\"w\"}",
            "{\"kind\":\"wide\",\"groups\":[\"g\"]}",
            "{\"kind\":\"wide\",\"bytes\":\"AAE=\"}",
            "{\"kind\":\"wide\",\"c\":\"\"}",
            "{\"kind\":\"wide\",\"maybe\":\"3\"}",
            "{\"kind\":\"wide\",\"routes\":{\"r\":{\"x\":1,\"y\":2}}}",
            "{\"kind\":\"wide\",\"date\":\"2023-02-29\"}",
            "{\"kind\":\"wide\",\"duration\":60}",
            "{\"kind\":\"wide\",\"uri\":\"http://a b\"}"})
    void readWhenOtherSupportedTypeGetsWrongValueThenWrongFieldType(String json) {
        assertThat(typed(json)).isEqualTo(malformed(Detail.WRONG_FIELD_TYPE));
    }

    private static Map<String, Integer> mapOf(String k1, Integer v1, String k2, Integer v2) {
        Map<String, Integer> map = new java.util.HashMap<>();
        map.put(k1, v1);
        map.put(k2, v2);
        return map;
    }

    // ---- not JSON, not an object, trailing data

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "{", "{\"type\":", "{\"type\":\"ping\",}", "{'type':'ping'}",
            "{\"type\":\"ping\"} x", "{\"type\":\"ping\"} {}", "{\"type\":\"ping\"}\u0000", "\uFEFF{\"type\":\"ping\"}",
            "{\"type\":\"publish\",\"channel\":\"a\",\"text\":\"line\nbreak\"}", "{\"type\":\"ping\"}]"})
    void readWhenNotJsonOrTrailingDataThenMalformedJson(String json) {
        assertThat(chat(json)).isEqualTo(malformed(Detail.MALFORMED_JSON));
    }

    @Test
    void readWhenNullThenMalformedJson() {
        assertThat(chat(null)).isEqualTo(malformed(Detail.MALFORMED_JSON));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"x\"", "1", "null", "true", "[{\"type\":\"ping\"}]"})
    void readWhenTopLevelIsNotAnObjectThenNotAnObject(String json) {
        assertThat(chat(json)).isEqualTo(malformed(Detail.NOT_AN_OBJECT));
    }

    // ---- limits

    @Test
    @Timeout(value = 2, unit = TimeUnit.SECONDS)
    void readWhen100kOpenBracketsThenTooDeepQuickly() {
        // longer than the 65,536-character limit too: the first limit reached in reading order is reported
        assertThat(chat("[".repeat(100_000))).isEqualTo(malformed(Detail.TOO_DEEP));
        assertThat(chat("{\"type\":\"ping\",\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}"))
                .isEqualTo(malformed(Detail.TOO_DEEP));
        assertThat(chat("{\"x\":" + "{\"a\":".repeat(100_000))).isEqualTo(malformed(Detail.TOO_DEEP));
    }

    @Test
    void readWhenDepthAtLimitThenOkAndOneDeeperThenTooDeep() {
        StrictJsonReader<TypedMessage> reader = StrictJsonReader.of(TypedMessage.class,
                StrictJsonReader.Limits.defaults().withMaxDepth(5));
        // object(1) > array(2) > object(3) > array(4) > object(5)
        String five = "{\"kind\":\"tree\",\"children\":[{\"children\":[{}]}]}";
        String six = "{\"kind\":\"tree\",\"children\":[{\"children\":[{\"children\":[]}]}]}";
        assertThat(reader.read(five)).isInstanceOf(Decoded.Ok.class);
        assertThat(reader.read(six)).isEqualTo(malformed(Detail.TOO_DEEP));
    }

    @Test
    void readWhenSeventeenLevelsThenTooDeepAndSixteenPassTheStructure() {
        String seventeen = "{\"type\":\"ping\",\"x\":" + "[".repeat(16) + "]".repeat(16) + "}";
        String sixteen = "{\"type\":\"ping\",\"x\":" + "[".repeat(15) + "]".repeat(15) + "}";
        assertThat(chat(seventeen)).isEqualTo(malformed(Detail.TOO_DEEP));
        // sixteen levels pass the structure; the unknown member is refused next
        assertThat(chat(sixteen)).isEqualTo(malformed(Detail.UNKNOWN_FIELD));
    }

    @Test
    void readWhenDepthCeilingOnSmallStackThenOk() throws Exception {
        StrictJsonReader<TypedMessage> reader = StrictJsonReader.of(TypedMessage.class,
                StrictJsonReader.Limits.defaults().withMaxDepth(StrictJsonReader.Limits.DEPTH_CEILING));
        // 1 + 2 * trees + 1 levels, the most the ceiling allows: JSON-B binds them recursively, on a small stack
        int trees = (StrictJsonReader.Limits.DEPTH_CEILING - 2) / 2;
        String deep = "{\"kind\":\"tree\",\"children\":" + "[{\"children\":".repeat(trees) + "[]"
                + "}]".repeat(trees) + "}";
        Decoded<?>[] result = new Decoded<?>[1];
        Thread small = new Thread(null, () -> result[0] = reader.read(deep), "small-stack", 256 * 1024);
        small.start();
        small.join();
        assertThat(result[0]).isInstanceOf(Decoded.Ok.class);
    }

    @Test
    void readWhenMessageLongerThanLimitThenTooLarge() {
        StrictJsonReader<ChatMessage> reader = StrictJsonReader.of(ChatMessage.class,
                StrictJsonReader.Limits.defaults().withMaxMessageChars(20));
        String twenty = "{\"type\":\"ping\"}     ";
        assertThat(twenty).hasSize(20);
        assertThat(reader.read(twenty)).isEqualTo(ok(new ChatMessage.Ping()));
        assertThat(reader.read(twenty + " ")).isEqualTo(malformed(Detail.TOO_LARGE));
        assertThat(chat("{\"type\":\"ping\"}" + " ".repeat(65_536))).isEqualTo(malformed(Detail.TOO_LARGE));
        assertThat(chat("{\"type\":\"subscribe\",\"channel\":\"" + "c".repeat(70_000) + "\"}"))
                .isEqualTo(malformed(Detail.TOO_LARGE)); // before the string is complete, so not STRING_TOO_LONG
        assertThat(chat("{\"type\":\"ping\"} x" + " ".repeat(65_536))).isEqualTo(malformed(Detail.MALFORMED_JSON));
    }

    @Test
    void readWhenTooManyElementsThenTooLarge() {
        StrictJsonReader<TypedMessage> reader = StrictJsonReader.of(TypedMessage.class,
                StrictJsonReader.Limits.defaults().withMaxEntries(5));
        // kind + codes + three elements = 5 entries
        assertThat(reader.read("{\"kind\":\"nested\",\"codes\":[1,2,3]}")).isInstanceOf(Decoded.Ok.class);
        assertThat(reader.read("{\"kind\":\"nested\",\"codes\":[1,2,3,4]}")).isEqualTo(malformed(Detail.TOO_LARGE));
        String manyElements = "{\"kind\":\"nested\",\"codes\":[" + "1,".repeat(1023) + "1]}";
        assertThat(typed(manyElements)).isEqualTo(malformed(Detail.TOO_LARGE));
    }

    @Test
    void readWhenStringValueOrKeyTooLongThenStringTooLong() {
        StrictJsonReader<ChatMessage> reader = StrictJsonReader.of(ChatMessage.class,
                StrictJsonReader.Limits.defaults().withMaxStringLength(10));
        assertThat(reader.read("{\"type\":\"subscribe\",\"channel\":\"" + "c".repeat(10) + "\"}"))
                .isEqualTo(ok(new ChatMessage.Subscribe("c".repeat(10))));
        assertThat(reader.read("{\"type\":\"subscribe\",\"channel\":\"" + "c".repeat(11) + "\"}"))
                .isEqualTo(malformed(Detail.STRING_TOO_LONG));
        assertThat(reader.read("{\"type\":\"ping\",\"" + "k".repeat(11) + "\":1}"))
                .isEqualTo(malformed(Detail.STRING_TOO_LONG));
        assertThat(chat("{\"type\":\"subscribe\",\"channel\":\"" + "c".repeat(8193) + "\"}"))
                .isEqualTo(malformed(Detail.STRING_TOO_LONG));
    }

    @Test
    void limitsWhenOutOfRangeThenIllegalArgument() {
        StrictJsonReader.Limits defaults = StrictJsonReader.Limits.defaults();
        assertThat(defaults).isEqualTo(new StrictJsonReader.Limits(16, 8192, 1024, 65536));
        assertThatThrownBy(() -> defaults.withMaxDepth(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withMaxDepth(65)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withMaxStringLength(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withMaxEntries(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withMaxMessageChars(0)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- duplicate keys

    @Test
    void readWhenDuplicateKeyThenMalformed() {
        assertThat(chat("{\"type\":\"subscribe\",\"channel\":\"a\",\"channel\":\"b\"}"))
                .isEqualTo(malformed(Detail.DUPLICATE_KEY));
        assertThat(chat("{\"type\":\"ping\",\"type\":\"subscribe\",\"channel\":\"a\"}"))
                .isEqualTo(malformed(Detail.DUPLICATE_KEY));
    }

    @Test
    void readWhenNestedDuplicateKeyThenMalformed() {
        assertThat(typed("{\"kind\":\"nested\",\"point\":{\"x\":1,\"y\":2,\"x\":3}}"))
                .isEqualTo(malformed(Detail.DUPLICATE_KEY));
        assertThat(typed("{\"kind\":\"nested\",\"path\":[{\"x\":1,\"y\":2},{\"y\":1,\"y\":1}]}"))
                .isEqualTo(malformed(Detail.DUPLICATE_KEY));
        // inside a member the record would refuse anyway: duplicates are found first, at any level
        assertThat(chat("{\"type\":\"ping\",\"x\":[[{\"a\":1,\"a\":1}]]}")).isEqualTo(malformed(Detail.DUPLICATE_KEY));
    }

    @Test
    void readWhenSameKeyInSiblingObjectsThenOk() {
        assertThat(typed("{\"kind\":\"nested\",\"path\":[{\"x\":1,\"y\":2},{\"x\":1,\"y\":2}]}"))
                .isInstanceOf(Decoded.Ok.class);
    }

    // ---- discriminator

    @ParameterizedTest
    @ValueSource(strings = {"{\"type\":\"nope\"}", "{\"type\":1}", "{\"type\":null}", "{\"type\":[\"ping\"]}",
            "{\"type\":\"Ping\"}", "{\"type\":\"\"}"})
    void readWhenUnknownTypeThenUnknownType(String json) {
        assertThat(chat(json)).isEqualTo(malformed(Detail.UNKNOWN_TYPE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"channel\":\"a\"}", "{\"Type\":\"ping\"}", "{\"x\":{\"type\":\"ping\"}}"})
    void readWhenNoTypeThenMissingType(String json) {
        assertThat(chat(json)).isEqualTo(malformed(Detail.MISSING_TYPE));
    }

    // ---- unknown fields

    @Test
    void readWhenUnknownFieldThenMalformed() {
        assertThat(chat("{\"type\":\"ping\",\"extra\":1}")).isEqualTo(malformed(Detail.UNKNOWN_FIELD));
        assertThat(chat("{\"type\":\"subscribe\",\"channel\":\"a\",\"Channel\":\"b\"}"))
                .isEqualTo(malformed(Detail.UNKNOWN_FIELD));
        assertThat(typed("{\"kind\":\"nested\",\"point\":{\"x\":1,\"y\":2,\"z\":3}}"))
                .isEqualTo(malformed(Detail.UNKNOWN_FIELD));
        // a renamed component answers only to its JSON name
        assertThat(typed("{\"kind\":\"misc\",\"original\":\"r\"}")).isEqualTo(malformed(Detail.UNKNOWN_FIELD));
    }

    // ---- wrong kinds of value

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"kind\":\"misc\",\"text\":123}",
            "{\"kind\":\"misc\",\"text\":true}",
            "{\"kind\":\"misc\",\"text\":{}}",
            "{\"kind\":\"misc\",\"text\":[\"a\"]}",
            "{\"kind\":\"numbers\",\"i\":\"12\"}",
            "{\"kind\":\"numbers\",\"i\":null}",
            "{\"kind\":\"numbers\",\"i\":true}",
            "{\"kind\":\"boxed\",\"i\":\"12\"}",
            "{\"kind\":\"misc\",\"flag\":1}",
            "{\"kind\":\"misc\",\"flag\":\"true\"}",
            "{\"kind\":\"misc\",\"flag\":null}",
            "{\"kind\":\"misc\",\"letter\":\"xy\"}",
            "{\"kind\":\"misc\",\"letter\":5}",
            "{\"kind\":\"misc\",\"color\":\"BLUE\"}",
            "{\"kind\":\"misc\",\"color\":0}",
            "{\"kind\":\"misc\",\"letter\":\"x\",\"flag\":true,\"id\":\"not-a-uuid\"}",
            "{\"kind\":\"misc\",\"letter\":\"x\",\"flag\":true,\"at\":\"yesterday\"}",
            "{\"kind\":\"nested\",\"point\":[1,2]}",
            "{\"kind\":\"nested\",\"path\":{\"x\":1,\"y\":2}}",
            "{\"kind\":\"nested\",\"codes\":[1,null]}",
            "{\"kind\":\"nested\",\"counts\":{\"a\":\"1\"}}",
            "{\"kind\":\"nested\",\"tags\":[1]}"})
    void readWhenValueOfWrongKindThenWrongFieldType(String json) {
        assertThat(typed(json)).isEqualTo(malformed(Detail.WRONG_FIELD_TYPE));
    }

    // ---- numbers

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"kind\":\"numbers\",\"i\":2147483648}",
            "{\"kind\":\"numbers\",\"i\":-2147483649}",
            "{\"kind\":\"numbers\",\"i\":4294967297}",
            "{\"kind\":\"numbers\",\"l\":9223372036854775808}",
            "{\"kind\":\"numbers\",\"l\":-9223372036854775809}",
            "{\"kind\":\"numbers\",\"l\":100000000000000000000000}",
            "{\"kind\":\"numbers\",\"s\":32768}",
            "{\"kind\":\"numbers\",\"b\":128}",
            "{\"kind\":\"numbers\",\"i\":1.5}",
            "{\"kind\":\"numbers\",\"i\":1.0}",
            "{\"kind\":\"numbers\",\"i\":1e2}",
            "{\"kind\":\"numbers\",\"l\":1e1000000000}",
            "{\"kind\":\"numbers\",\"d\":1e400}",
            "{\"kind\":\"numbers\",\"d\":-1e400}",
            "{\"kind\":\"numbers\",\"d\":1e-400}",
            "{\"kind\":\"numbers\",\"f\":1e39}",
            "{\"kind\":\"numbers\",\"f\":1e-50}",
            "{\"kind\":\"boxed\",\"i\":2147483648}",
            "{\"kind\":\"nested\",\"point\":{\"x\":2147483648,\"y\":0}}",
            "{\"kind\":\"nested\",\"numbers\":[2147483648]}",
            "{\"kind\":\"nested\",\"counts\":{\"a\":2147483648}}",
            "{\"kind\":\"nested\",\"codes\":[0.5]}"})
    void readWhenNumberDoesNotFitThenNumberOutOfRange(String json) {
        assertThat(typed(json)).isEqualTo(malformed(Detail.NUMBER_OUT_OF_RANGE));
    }

    @Test
    void readWhenIntOverflowThenMalformedAlthoughPlainYassonWouldWrap() throws Exception {
        assertThat(typed("{\"kind\":\"nested\",\"numbers\":[4294967297]}"))
                .isEqualTo(malformed(Detail.NUMBER_OUT_OF_RANGE));
        // The same JSON-B, outside polymorphic decoding, wraps silently: this is what the pre-pass is for.
        try (jakarta.json.bind.Jsonb jsonb = jakarta.json.bind.JsonbBuilder.create()) {
            TypedMessage.Nested plain = jsonb.fromJson("{\"numbers\":[4294967297]}", TypedMessage.Nested.class);
            assertThat(plain.numbers()).containsExactly(1);
        }
    }

    @Test
    void readWhenNumberLiteralLongerThan64CharactersThenNumberOutOfRange() {
        String literal = "0." + "0".repeat(62) + "1";
        assertThat(literal).hasSize(65);
        String all = "{\"kind\":\"numbers\",\"i\":0,\"l\":0,\"s\":0,\"b\":0,\"f\":0,\"d\":";
        assertThat(typed(all + literal + "}")).isEqualTo(malformed(Detail.NUMBER_OUT_OF_RANGE));
        assertThat(typed(all + literal.substring(0, 63) + "5}"))
                .isEqualTo(ok(new TypedMessage.Numbers(0, 0, (short) 0, (byte) 0, 5e-62, 0f)));
    }

    @Test
    void readWhenZeroWrittenWithExponentThenOk() {
        assertThat(typed("{\"kind\":\"numbers\",\"i\":-0,\"l\":0,\"s\":0,\"b\":0,\"d\":0e-400,\"f\":0.000}"))
                .isEqualTo(ok(new TypedMessage.Numbers(0, 0, (short) 0, (byte) 0, 0.0, 0.0f)));
    }

    // ---- missing primitives

    @Test
    void readWhenPrimitiveComponentAbsentThenMissingField() {
        assertThat(typed("{\"kind\":\"numbers\",\"i\":1,\"l\":1,\"s\":1,\"b\":1,\"d\":1}"))
                .isEqualTo(malformed(Detail.MISSING_FIELD));
        assertThat(typed("{\"kind\":\"nested\",\"point\":{\"x\":1}}")).isEqualTo(malformed(Detail.MISSING_FIELD));
    }

    // ---- constraints

    @Test
    void readWhenSizeExceededThenInvalid() {
        assertThat(chat("{\"type\":\"subscribe\",\"channel\":\"" + "c".repeat(201) + "\"}")).isEqualTo(invalid());
        assertThat(chat("{\"type\":\"publish\",\"channel\":\"c\",\"text\":\"\"}")).isEqualTo(invalid());
    }

    @Test
    void readWhenNotNullComponentAbsentOrNullThenInvalid() {
        assertThat(chat("{\"type\":\"subscribe\"}")).isEqualTo(invalid());
        assertThat(chat("{\"type\":\"subscribe\",\"channel\":null}")).isEqualTo(invalid());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\u202Eexe.txt", "a\\u2066b", "\\u0000", "a\\rb", "\\u001b[31mred", "\\u2028",
            "\\ud800", "\\u007f"})
    void readWhenPlainTextBrokenThenInvalid(String escaped) {
        assertThat(chat("{\"type\":\"publish\",\"channel\":\"c\",\"text\":\"" + escaped + "\"}"))
                .isEqualTo(invalid());
    }

    @Test
    void readWhenConstructorRefusesThenInvalid() {
        assertThat(typed("{\"kind\":\"guarded\",\"n\":-1}")).isEqualTo(invalid());
        assertThat(typed("{\"kind\":\"guarded\",\"n\":1}")).isEqualTo(ok(new TypedMessage.Guarded(1)));
    }

    // ---- the family

    @Test
    void subtypesWhenBuiltThenEveryRecordWithItsAliasInOrder() {
        assertThat(CHAT.family()).isEqualTo(ChatMessage.class);
        assertThat(CHAT.typeKey()).isEqualTo("type");
        assertThat(CHAT.subtypes()).containsExactly(
                Map.entry(ChatMessage.Subscribe.class, "subscribe"),
                Map.entry(ChatMessage.Publish.class, "publish"),
                Map.entry(ChatMessage.Ping.class, "ping"));
        assertThatThrownBy(() -> CHAT.subtypes().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(TYPED.typeKey()).isEqualTo("kind");
        assertThat(CHAT.limits()).isEqualTo(StrictJsonReader.Limits.defaults());
    }

    // ---- thread safety

    @Test
    void readWhenManyThreadsThenEveryAnswerCorrect() throws Exception {
        List<Map.Entry<String, Decoded<ChatMessage>>> cases = List.of(
                Map.entry("{\"type\":\"subscribe\",\"channel\":\"a\"}", ok(new ChatMessage.Subscribe("a"))),
                Map.entry("{\"type\":\"publish\",\"channel\":\"a\",\"text\":\"hi\"}",
                        ok(new ChatMessage.Publish("a", "hi"))),
                Map.entry("{\"type\":\"ping\"}", ok(new ChatMessage.Ping())),
                Map.entry("{\"type\":\"ping\",\"x\":1,\"x\":2}", new Decoded.Malformed<>(Detail.DUPLICATE_KEY)),
                Map.entry("{\"type\":\"subscribe\"}", new Decoded.Invalid<>(Detail.CONSTRAINT_VIOLATION)),
                Map.entry("[]", new Decoded.Malformed<>(Detail.NOT_AN_OBJECT)));
        int threads = 16;
        int rounds = 500;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        try {
            List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t;
                results.add(pool.submit(() -> {
                    start.await();
                    int wrong = 0;
                    for (int i = 0; i < rounds; i++) {
                        Map.Entry<String, Decoded<ChatMessage>> c = cases.get((i + offset) % cases.size());
                        if (!CHAT.read(c.getKey()).equals(c.getValue())) {
                            wrong++;
                        }
                    }
                    return wrong;
                }));
            }
            start.countDown();
            int wrong = 0;
            for (java.util.concurrent.Future<Integer> result : results) {
                wrong += result.get(60, TimeUnit.SECONDS);
            }
            assertThat(wrong).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void decodedWhenDetailOnWrongSideThenIllegalArgument() {
        assertThatThrownBy(() -> new Decoded.Malformed<>(Detail.CONSTRAINT_VIOLATION))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Decoded.Invalid<>(Detail.TOO_DEEP)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Set.of(Detail.values()).stream().filter(d -> !d.malformed()))
                .containsExactly(Detail.CONSTRAINT_VIOLATION);
    }
}
