package dev.wsguard;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class SecurityEventTest {

    @Test
    void toJsonWhenOriginCarriesLineBreaksAndQuotesThenOneEscapedLine() {
        String forged = "https://x\r\n{\"kind\":\"HANDSHAKE_ACCEPTED\"}\u2028\u0000\"\\";
        SecurityEvent event = new SecurityEvent(Instant.parse("2026-01-01T00:00:00Z"),
                SecurityEvent.Kind.HANDSHAKE_REJECTED, SecurityEvent.Phase.HANDSHAKE, Rejection.ORIGIN_NOT_ALLOWED,
                "c-1", "/chat", "127.0.0.1", forged, null, null);
        String json = event.toJson();
        assertThat(json).doesNotContain("\r", "\n", "\u2028", "\u0000");
        assertThat(json).isEqualTo("{\"time\":\"2026-01-01T00:00:00Z\",\"kind\":\"HANDSHAKE_REJECTED\","
                + "\"phase\":\"HANDSHAKE\",\"reason\":\"ORIGIN_NOT_ALLOWED\",\"connection\":\"c-1\","
                + "\"endpoint\":\"/chat\",\"client\":\"127.0.0.1\",\"origin\":\"https://x\\u000d\\u000a{\\\"kind\\\":"
                + "\\\"HANDSHAKE_ACCEPTED\\\"}\\u2028\\u0000\\\"\\\\\"}");
    }

    @Test
    void toJsonWhenLoneSurrogateThenEscaped() {
        SecurityEvent event = new SecurityEvent(Instant.EPOCH, SecurityEvent.Kind.HANDSHAKE_REJECTED,
                SecurityEvent.Phase.HANDSHAKE, Rejection.ORIGIN_MISSING, null, "/a\uD800b", null, null, null, null);
        assertThat(event.toJson()).contains("\"endpoint\":\"/a\\ud800b\"");
    }

    @Test
    void toJsonWhenCloseEventThenCodeAndDurationAsNumbers() {
        SecurityEvent event = new SecurityEvent(Instant.EPOCH, SecurityEvent.Kind.CONNECTION_CLOSED,
                SecurityEvent.Phase.SESSION, null, "c-2", "/chat", "10.0.0.1", null, null, "bob", null, null, 4401,
                java.time.Duration.ofMillis(1234));
        assertThat(event.toJson()).isEqualTo("{\"time\":\"1970-01-01T00:00:00Z\",\"kind\":\"CONNECTION_CLOSED\","
                + "\"phase\":\"SESSION\",\"connection\":\"c-2\",\"endpoint\":\"/chat\",\"client\":\"10.0.0.1\","
                + "\"subject\":\"bob\",\"close\":4401,\"duration_ms\":1234}");
    }

    @Test
    void toJsonWhenActionChannelCarriesControlCharactersThenEscaped() {
        SecurityEvent event = new SecurityEvent(Instant.EPOCH, SecurityEvent.Kind.ACTION, SecurityEvent.Phase.MESSAGE,
                null, "c-3", "/chat", null, null, null, "alice", "publish", "room\n{\"kind\":\"BANNED\"}", null, null);
        assertThat(event.toJson()).doesNotContain("\n").endsWith(
                "\"type\":\"publish\",\"channel\":\"room\\u000a{\\\"kind\\\":\\\"BANNED\\\"}\"}");
    }

    @Test
    void toJsonWhenNextLineOrOtherC1ControlThenEscaped() {
        SecurityEvent event = new SecurityEvent(Instant.EPOCH, SecurityEvent.Kind.HANDSHAKE_REJECTED,
                SecurityEvent.Phase.HANDSHAKE, Rejection.ORIGIN_NOT_ALLOWED, null, "/chat", null,
                "https://a\u0085b\u009bc", null, null);
        assertThat(event.toJson()).contains("\"origin\":\"https://a\\u0085b\\u009bc\"");
    }
}
