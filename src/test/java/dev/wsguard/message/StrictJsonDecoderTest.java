package dev.wsguard.message;

import dev.wsguard.GuardConfigException;
import jakarta.websocket.DecodeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class StrictJsonDecoderTest {

    /** The user's one-line decoder. */
    public static class ChatDecoder extends StrictJsonDecoder<ChatMessage> {
        public ChatDecoder() {
            super(ChatMessage.class);
        }
    }

    static final StrictJsonReader<ChatMessage> TIGHT = StrictJsonReader.of(ChatMessage.class,
            StrictJsonReader.Limits.defaults().withMaxMessageChars(32));

    public static class TightChatDecoder extends StrictJsonDecoder<ChatMessage> {
        public TightChatDecoder() {
            super(TIGHT);
        }
    }

    public static class BrokenDecoder extends StrictJsonDecoder<BadFamilies.ObjectComponent> {
        public BrokenDecoder() {
            super(BadFamilies.ObjectComponent.class);
        }
    }

    @Test
    void decodeWhenValidThenValue() throws DecodeException {
        assertThat(new ChatDecoder().decode("{\"type\":\"subscribe\",\"channel\":\"news\"}"))
                .isEqualTo(new ChatMessage.Subscribe("news"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[]", "{\"type\":\"ping\",\"type\":\"ping\"}", "{\"type\":\"nope\"}"})
    void willDecodeWhenAnyTextThenTrue(String text) {
        assertThat(new ChatDecoder().willDecode(text)).isTrue();
    }

    @Test
    void decodeWhenMalformedThenFixedPhraseAndDetailWithoutInput() {
        String secret = "{\"type\":\"subscribe\",\"channel\":\"s3cr3t\",\"channel\":\"s3cr3t\"}";
        StrictDecodeException e = catchThrowableOfType(StrictDecodeException.class,
                () -> new ChatDecoder().decode(secret));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).isEqualTo("malformed message");
        assertThat(e.detail()).isEqualTo(Decoded.Detail.DUPLICATE_KEY);
        assertThat(e.malformed()).isTrue();
        assertThat(e.getText()).isEmpty();
        assertThat(e.getStackTrace()).isEmpty();
        assertThat(e).isInstanceOf(DecodeException.class);
    }

    @Test
    void decodeWhenConstraintBrokenThenInvalidPhrase() {
        StrictDecodeException e = catchThrowableOfType(StrictDecodeException.class,
                () -> new ChatDecoder().decode("{\"type\":\"publish\",\"channel\":\"c\",\"text\":\"\\u202Egnp.exe\"}"));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).isEqualTo("invalid message");
        assertThat(e.detail()).isEqualTo(Decoded.Detail.CONSTRAINT_VIOLATION);
        assertThat(e.malformed()).isFalse();
        assertThat(e.getText()).isEmpty();
    }

    @Test
    void decodeWhenNullThenMalformed() {
        StrictDecodeException e = catchThrowableOfType(StrictDecodeException.class,
                () -> new ChatDecoder().decode(null));
        assertThat(e).isNotNull();
        assertThat(e.detail()).isEqualTo(Decoded.Detail.MALFORMED_JSON);
    }

    @Test
    void readerWhenTwoDecodersOfOneFamilyThenSameReader() {
        ChatDecoder first = new ChatDecoder();
        ChatDecoder second = new ChatDecoder();
        assertThat(first.reader()).isSameAs(second.reader());
        assertThat(first.reader().family()).isEqualTo(ChatMessage.class);
        assertThat(first.reader().subtypes()).containsValues("subscribe", "publish", "ping");
        assertThat(first.reader().limits()).isEqualTo(StrictJsonReader.Limits.defaults());
    }

    @Test
    void decodeWhenOwnReaderThenItsLimitsApply() throws DecodeException {
        TightChatDecoder decoder = new TightChatDecoder();
        assertThat(decoder.reader()).isSameAs(TIGHT);
        assertThat(decoder.decode("{\"type\":\"ping\"}")).isEqualTo(new ChatMessage.Ping());
        StrictDecodeException e = catchThrowableOfType(StrictDecodeException.class,
                () -> decoder.decode("{\"type\":\"subscribe\",\"channel\":\"news\"}"));
        assertThat(e).isNotNull();
        assertThat(e.detail()).isEqualTo(Decoded.Detail.TOO_LARGE);
    }

    @Test
    void constructorWhenFamilyCannotBeReadStrictlyThenConfigError() {
        assertThatThrownBy(BrokenDecoder::new).isInstanceOf(GuardConfigException.class);
        // not cached as a failure that hides the cause: a second attempt says the same
        assertThatThrownBy(BrokenDecoder::new).isInstanceOf(GuardConfigException.class)
                .hasMessageContaining("Loose.payload");
    }
}
