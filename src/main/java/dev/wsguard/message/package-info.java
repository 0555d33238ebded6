/**
 * Strict decoding of JSON WebSocket messages: {@link dev.wsguard.message.StrictJsonReader} turns text into one
 * record of a {@code @JsonbTypeInfo} message family, or into a refusal with its {@link dev.wsguard.message.Decoded.Detail},
 * and never lets JSON-B guess. {@link dev.wsguard.message.StrictJsonDecoder} plugs it into
 * {@code @ServerEndpoint(decoders = ...)}, and {@link dev.wsguard.message.PlainText} constrains free text that other
 * people will read.
 */
package dev.wsguard.message;
