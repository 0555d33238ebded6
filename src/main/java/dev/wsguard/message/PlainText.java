package dev.wsguard.message;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The annotated text must be plain chat-style text: no characters that change how neighbouring text is displayed,
 * split lines where a reader does not expect it, or break a UTF-16 string.
 *
 * <p>The threat: text that reaches other users or logs can carry Unicode bidirectional overrides and isolates
 * (U+202A&ndash;U+202E, U+2066&ndash;U+2069) that make {@code exe.txt} show as {@code txt.exe} or reorder a message
 * ("Trojan Source"), control characters that forge log lines or terminal output (including NUL, carriage return,
 * escape and the C1 range), the JavaScript line terminators U+2028 and U+2029, and unpaired surrogates that break
 * encoders downstream. Refused: every C0 control except line feed ({@code \n}) and tab ({@code \t}), DEL and the C1
 * controls (U+007F&ndash;U+009F), the bidi overrides and isolates above, U+2028, U+2029, and any unpaired surrogate.
 * Everything else passes, including every script, combining marks, emoji with zero-width joiners and variation
 * selectors, and the bidi marks LRM, RLM and ALM that right-to-left text needs. {@code null} is valid (combine with
 * {@code @NotNull}); so is the empty string. A violation makes {@link StrictJsonReader} answer
 * {@link Decoded.Invalid}.
 *
 * <p>This constraint is not output encoding. Render accepted text as text: in a browser set
 * {@code element.textContent} (or let a framework bind it as text), never {@code innerHTML},
 * {@code insertAdjacentHTML} or {@code document.write}; in HTML templates use the engine's escaping; in logs use an
 * encoder that escapes control characters, as {@link dev.wsguard.SecurityEvent#toJson()} does. Line feeds pass, so
 * show them with CSS {@code white-space: pre-wrap} rather than by inserting markup.
 */
@Documented
@Constraint(validatedBy = PlainTextValidator.class)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE,
        ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
public @interface PlainText {

    /** Never shown to clients; the audit log records only that a constraint failed. */
    String message() default "must be plain text";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
