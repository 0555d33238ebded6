package dev.wsguard.internal;

import dev.wsguard.GuardConfig;
import dev.wsguard.Rejection;
import dev.wsguard.SecurityEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class BansTest {

    static SecurityEvent event(SecurityEvent.Kind kind, Rejection reason, String address, String subject) {
        return new SecurityEvent(Instant.EPOCH, kind, SecurityEvent.Phase.HANDSHAKE, reason, "c", "/chat", address,
                null, null, subject);
    }

    @Test
    void isViolationWhenClientMisbehavesThenTrueWhenItIsNotItsFaultThenFalse() {
        assertThat(Bans.isViolation(event(SecurityEvent.Kind.HANDSHAKE_REJECTED, Rejection.ORIGIN_NOT_ALLOWED,
                "a", null))).isTrue();
        assertThat(Bans.isViolation(event(SecurityEvent.Kind.HANDSHAKE_REJECTED, Rejection.TOKEN_SIGNATURE_INVALID,
                "a", null))).isTrue();
        assertThat(Bans.isViolation(event(SecurityEvent.Kind.AUTHORIZATION_DENIED, Rejection.ROLE_MISSING,
                "a", "u"))).isTrue();
        assertThat(Bans.isViolation(event(SecurityEvent.Kind.SESSION_CLOSED, Rejection.MESSAGE_TOO_BIG,
                "a", "u"))).isTrue();
        for (Rejection notTheirFault : List.of(Rejection.CONNECTION_QUOTA_EXCEEDED, Rejection.ADDRESS_BANNED,
                Rejection.USER_BANNED, Rejection.TOKEN_REVOKED)) {
            assertThat(Bans.isViolation(event(SecurityEvent.Kind.HANDSHAKE_REJECTED, notTheirFault, "a", null)))
                    .as(notTheirFault.name()).isFalse();
        }
        assertThat(Bans.isViolation(event(SecurityEvent.Kind.SESSION_CLOSED, Rejection.TOKEN_EXPIRED, "a", "u")))
                .isFalse();
        assertThat(Bans.isViolation(event(SecurityEvent.Kind.RATE_LIMITED, Rejection.RATE_LIMITED, "a", "u")))
                .as("one dropped message").isFalse();
        assertThat(Bans.isViolation(event(SecurityEvent.Kind.HANDSHAKE_ACCEPTED, null, "a", "u"))).isFalse();
    }

    @Test
    void observeWhenOverTheLimitThenOneBanAndTrackedKeysBounded() {
        List<SecurityEvent> emitted = new CopyOnWriteArrayList<>();
        Bans bans = new Bans(new GuardConfig.BanSetting(2, Duration.ofMinutes(1), Duration.ofMinutes(1)), 3,
                emitted::add);
        for (int i = 0; i < 5; i++) {
            bans.observe(event(SecurityEvent.Kind.HANDSHAKE_REJECTED, Rejection.TOKEN_MALFORMED, "1.2.3.4", null));
        }
        assertThat(emitted).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(SecurityEvent.Kind.BANNED);
            assertThat(e.clientAddress()).isEqualTo("1.2.3.4");
        });
        assertThat(bans.addressSecondsLeft("1.2.3.4")).isBetween(59L, 60L);
        assertThat(bans.addressSecondsLeft("5.6.7.8")).isZero();

        // Keys beyond the table's capacity are neither tracked nor banned, however often they violate.
        for (int k = 0; k < 50; k++) {
            for (int i = 0; i < 5; i++) {
                bans.observe(event(SecurityEvent.Kind.HANDSHAKE_REJECTED, Rejection.TOKEN_MALFORMED, "10.0.0." + k,
                        null));
            }
        }
        assertThat(bans.active()).isLessThanOrEqualTo(3);
    }
}
