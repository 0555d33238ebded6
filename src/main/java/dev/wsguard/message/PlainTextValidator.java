package dev.wsguard.message;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

/**
 * Checks {@link PlainText}: refuses C0 controls other than {@code \n} and {@code \t}, DEL and C1 controls, bidi
 * overrides and isolates, U+2028, U+2029 and unpaired surrogates; {@code null} is valid. Immutable and thread-safe.
 */
public final class PlainTextValidator implements ConstraintValidator<PlainText, CharSequence> {

    @Override
    public boolean isValid(CharSequence value, ConstraintValidatorContext context) {
        return value == null || isPlainText(value);
    }

    /**
     * The {@link PlainText} rule, for code that checks text outside Jakarta Validation.
     *
     * @return whether the text contains none of the refused characters; false for {@code null}
     */
    public static boolean isPlainText(CharSequence text) {
        if (text == null) {
            return false;
        }
        // One concrete type for the loop: String's charAt inlines, an interface call per character may not.
        String s = text.toString();
        int length = s.length();
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c < 0x20) {
                if (c != '\n' && c != '\t') {
                    return false;
                }
            } else if (c >= 0x7F && c <= 0x9F) {
                return false;
            } else if (c >= '\u202A' && c <= '\u202E' || c >= '\u2066' && c <= '\u2069') {
                return false;
            } else if (c == '\u2028' || c == '\u2029') {
                return false;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 == length || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
