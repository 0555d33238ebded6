package dev.wsguard.examples.chat;

import dev.wsguard.message.StrictJsonDecoder;

/**
 * The strict decoder of {@link ChatMessage}: unknown types and fields, duplicate keys, deep nesting, out-of-range
 * numbers and constraint violations never reach {@link ChatEndpoint}.
 */
public class ChatMessages extends StrictJsonDecoder<ChatMessage> {

    public ChatMessages() {
        super(ChatMessage.class);
    }
}
