package dev.wsguard.message;

import jakarta.websocket.DecodeException;
import jakarta.websocket.Decoder;

import java.util.Objects;

/**
 * A Jakarta WebSocket text decoder that admits only well-formed, well-typed, valid messages of one family, through a
 * {@link StrictJsonReader}. The threat and the checks are the reader's; this class plugs them into
 * {@code @ServerEndpoint(decoders = ...)} with one line of user code:
 *
 * <pre>{@code
 * public class ChatDecoder extends StrictJsonDecoder<ChatMessage> {
 *     public ChatDecoder() { super(ChatMessage.class); }
 * }
 * }</pre>
 *
 * <p>{@link #willDecode(String)} answers {@code true} for every text, so that bad input reaches {@link #decode} and is
 * refused with a {@link StrictDecodeException} (a {@link DecodeException} whose message is a fixed phrase and
 * which never carries the input) rather than silently skipped by the runtime. The runtime hands it to
 * {@code @OnError}; the endpoint or a guard decides how to close (1007 for malformed data is conventional).
 *
 * <p>The runtime creates one decoder per session, so readers are shared: {@link #StrictJsonDecoder(Class)} uses one
 * reader per family for the whole class loader, built with the default limits on first use. To change the limits,
 * hold your own reader in a {@code static final} field and pass it to {@link #StrictJsonDecoder(StrictJsonReader)}.
 * A family that cannot be read strictly fails when the first decoder is created, with
 * {@link dev.wsguard.GuardConfigException}. Immutable and thread-safe.
 *
 * @param <T> the message family
 */
public abstract class StrictJsonDecoder<T> implements Decoder.Text<T> {

    private final StrictJsonReader<T> reader;

    /**
     * Decodes the family with the shared default-limits reader.
     *
     * @throws dev.wsguard.GuardConfigException when the family cannot be read strictly
     */
    protected StrictJsonDecoder(Class<T> family) {
        this.reader = StrictJsonReader.shared(Objects.requireNonNull(family, "family"));
    }

    /** Decodes with the given reader; keep it in a {@code static final} field so it is built once. */
    protected StrictJsonDecoder(StrictJsonReader<T> reader) {
        this.reader = Objects.requireNonNull(reader, "reader");
    }

    /** The reader behind this decoder, for a guard that needs the family's subtypes or wants to read itself. */
    public final StrictJsonReader<T> reader() {
        return reader;
    }

    /** Always {@code true}: a message this decoder would refuse must reach {@link #decode} and be refused there. */
    @Override
    public final boolean willDecode(String text) {
        return true;
    }

    /**
     * The decoded message.
     *
     * @throws StrictDecodeException when the reader refuses the text
     */
    @Override
    public final T decode(String text) throws DecodeException {
        Decoded<T> decoded = reader.read(text);
        if (decoded instanceof Decoded.Ok<T> ok) {
            return ok.value();
        }
        if (decoded instanceof Decoded.Malformed<T> malformed) {
            throw new StrictDecodeException(malformed.detail());
        }
        throw new StrictDecodeException(((Decoded.Invalid<T>) decoded).detail());
    }
}
