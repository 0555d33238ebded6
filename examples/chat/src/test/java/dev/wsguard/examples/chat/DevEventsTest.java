package dev.wsguard.examples.chat;

import dev.wsguard.Rejection;
import dev.wsguard.SecurityEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The dev events ring: bounded, oldest dropped first, and nothing of the token leaves it. */
class DevEventsTest {

    @Test
    void onEventWhenMoreThanCapacityThenKeepsTheNewestOnly() {
        DevEvents.enable();
        DevEvents listener = new DevEvents();
        List<DevEvents.Shown> before = DevEvents.after(0);
        long start = before.isEmpty() ? 0 : before.get(before.size() - 1).seq();
        for (int i = 0; i < DevEvents.CAPACITY + 50; i++) {
            listener.onEvent(new SecurityEvent(Instant.now(), SecurityEvent.Kind.HANDSHAKE_REJECTED,
                    SecurityEvent.Phase.HANDSHAKE, Rejection.ORIGIN_NOT_ALLOWED, "c" + i, "/chat", "127.0.0.1",
                    "http://evil.example", "0123456789abcdef", null));
        }
        List<DevEvents.Shown> kept = DevEvents.after(0);
        assertThat(kept).hasSize(DevEvents.CAPACITY);
        assertThat(kept.get(0).seq()).isEqualTo(start + 51);
        assertThat(kept.get(kept.size() - 1).seq()).isEqualTo(start + DevEvents.CAPACITY + 50);
        assertThat(DevEvents.after(start + DevEvents.CAPACITY + 49)).hasSize(1);
        assertThat(Json.toJson(kept)).doesNotContain("0123456789abcdef").contains("ORIGIN_NOT_ALLOWED");
    }
}
