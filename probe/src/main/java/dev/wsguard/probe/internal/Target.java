package dev.wsguard.probe.internal;

import dev.wsguard.probe.Rate;
import dev.wsguard.probe.TokenCarrier;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Everything the attacks know about the endpoint, as the operator described it. The URL is the only place any attack
 * connects to. Immutable; the token suppliers are asked once per run. In {@code userRateMessages} and
 * {@code echoMessages} the last message is the one attacked, those before it set each session up.
 */
public record Target(
        URI uri,
        String origin,
        Supplier<String> token,
        TokenCarrier carrier,
        String cookieName,
        Optional<Supplier<String>> lowToken,
        Optional<Supplier<String>> expiredToken,
        Optional<byte[]> publicKey,
        Optional<String> signingKey,
        String sample,
        Optional<String> adminMessage,
        Optional<String> foreignMessage,
        Optional<String> bulkMessage,
        int maxMessageBytes,
        Optional<Rate> messageRate,
        Optional<Rate> userMessageRate,
        List<String> userRateMessages,
        List<String> echoMessages,
        Optional<Rate> handshakeRate,
        Optional<Integer> maxConnections,
        Duration handshakeTimeout,
        Optional<Duration> idleTimeout,
        boolean missingOriginAllowed,
        Duration replyTimeout,
        Pattern refusal,
        boolean insecureTls,
        Predicate<String> selected) {

    /** True for {@code wss://}. */
    public boolean secure() {
        return "wss".equalsIgnoreCase(uri.getScheme());
    }
}
