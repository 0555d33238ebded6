package dev.wsguard.message;

import jakarta.validation.Validation;
import jakarta.validation.Validator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PlainTextValidatorTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "hello, world",
            "line one\nline two\tindented",
            "Grüße aus Köln, ça va? ¿Qué tal? Ελληνικά, Русский",
            "日本語のテキスト、中文，한국어",
            "مرحبا بالعالم \u200F and עברית",
            "हिन्दी, ภาษาไทย, e\u0301 (combining accent)",
            "emoji 👍🏽 family 👨\u200D👩\u200D👧 flag 🇩🇪 heart ❤\uFE0F keycap 1\uFE0F\u20E3",
            "math 𝔸𝔹ℂ and 𐐷 (supplementary planes)"})
    void isPlainTextWhenOrdinaryMultilingualTextOrEmojiThenTrue(String text) {
        assertThat(PlainTextValidator.isPlainText(text)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069})
    void isPlainTextWhenBidiOverrideOrIsolateThenFalse(int codePoint) {
        assertThat(PlainTextValidator.isPlainText("invoice" + (char) codePoint + "fdp.exe")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x01, 0x07, 0x08, 0x0B, 0x0C, 0x0D, 0x1B, 0x1F, 0x7F, 0x80, 0x85, 0x9B, 0x9F,
            0x2028, 0x2029})
    void isPlainTextWhenControlOrLineSeparatorThenFalse(int codePoint) {
        assertThat(PlainTextValidator.isPlainText("a" + (char) codePoint + "b")).isFalse();
    }

    @Test
    void isPlainTextWhenBoundaryNeighboursOfRefusedRangesThenTrue() {
        // just outside each refused range: space, U+00A0, U+2027, U+202F, U+2065, U+206A
        assertThat(PlainTextValidator.isPlainText(" \u00A0\u2027\u202F\u2065\u206A~")).isTrue();
    }

    @Test
    void isPlainTextWhenUnpairedSurrogateThenFalse() {
        assertThat(PlainTextValidator.isPlainText("a\uD83D")).isFalse();       // high at the end
        assertThat(PlainTextValidator.isPlainText("a\uD83Db")).isFalse();      // high before a non-low
        assertThat(PlainTextValidator.isPlainText("a\uDC4Db")).isFalse();      // low alone
        assertThat(PlainTextValidator.isPlainText("\uDC4D\uD83D")).isFalse();  // reversed pair
        assertThat(PlainTextValidator.isPlainText("\uD83D\uDC4D")).isTrue();   // 👍
    }

    @Test
    void isPlainTextWhenNullThenFalseButConstraintTreatsNullAsValid() {
        assertThat(PlainTextValidator.isPlainText(null)).isFalse();
        assertThat(new PlainTextValidator().isValid(null, null)).isTrue();
        assertThat(new PlainTextValidator().isValid("a\u0000", null)).isFalse();
    }

    public record Note(@PlainText String text, List<@PlainText String> lines) {
    }

    @Test
    void validateWhenAnnotatedOnRecordComponentAndTypeArgumentThenViolations() {
        Validator validator = Validation.buildDefaultValidatorFactory().getValidator();
        assertThat(validator.validate(new Note("fine 👍", List.of("ok", "also ok")))).isEmpty();
        assertThat(validator.validate(new Note("bad\u202E", List.of()))).hasSize(1);
        assertThat(validator.validate(new Note("fine", List.of("ok", "bad\u0007"))))
                .singleElement()
                .satisfies(v -> assertThat(v.getPropertyPath().toString()).isEqualTo("lines[1].<list element>"));
    }
}
