package dev.wsguard.internal;

import dev.wsguard.GuardConfig;
import dev.wsguard.Rejection;
import dev.wsguard.SecurityEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

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

    static Bans bans(int maxViolations, int maxKeys, List<SecurityEvent> emitted) {
        return new Bans(new GuardConfig.BanSetting(maxViolations, Duration.ofMinutes(1), Duration.ofMinutes(1)),
                maxKeys, 64, new LongAdder(), emitted::add);
    }

    static void violate(Bans bans, String address, int times) {
        for (int i = 0; i < times; i++) {
            bans.observe(event(SecurityEvent.Kind.HANDSHAKE_REJECTED, Rejection.TOKEN_MALFORMED, address, null));
        }
    }

    @Test
    void observeWhenOverTheLimitThenOneBan() {
        List<SecurityEvent> emitted = new CopyOnWriteArrayList<>();
        Bans bans = bans(2, 3, emitted);
        violate(bans, "1.2.3.4", 5);
        assertThat(emitted).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(SecurityEvent.Kind.BANNED);
            assertThat(e.clientAddress()).isEqualTo("1.2.3.4");
        });
        assertThat(bans.addressSecondsLeft("1.2.3.4")).isBetween(59L, 60L);
        assertThat(bans.addressSecondsLeft("5.6.7.8")).isZero();
    }

    @Test
    void observeWhenBanTableFullThenBansInForceStayNewOffenderNotBannedAndCounted() {
        List<SecurityEvent> emitted = new CopyOnWriteArrayList<>();
        Bans bans = bans(2, 3, emitted);
        for (int k = 0; k < 3; k++) {
            violate(bans, "10.0.0." + k, 3);
        }
        assertThat(bans.active()).isEqualTo(3);

        violate(bans, "10.0.1.1", 3);
        for (int k = 0; k < 50; k++) {
            violate(bans, "10.0.2." + k, 5);
        }
        assertThat(bans.addressSecondsLeft("10.0.1.1")).as("no room: not banned").isZero();
        assertThat(bans.skipped()).as("each ban due past the limit").isEqualTo(1 + 50 * 3);
        assertThat(bans.active()).isEqualTo(3);
        for (int k = 0; k < 3; k++) {
            assertThat(bans.addressSecondsLeft("10.0.0." + k)).as("never unbanned to make room").isPositive();
        }
        assertThat(emitted).allMatch(e -> e.kind() == SecurityEvent.Kind.BANNED).hasSize(3);
    }

    @Test
    void observeWhenFreshAddressesFloodBetweenViolationsThenRepeatOffenderStillBanned() {
        List<SecurityEvent> emitted = new CopyOnWriteArrayList<>();
        Bans bans = bans(3, 4, emitted);
        for (int round = 0; round < 4; round++) {
            violate(bans, "192.0.2.66", 1);
            violate(bans, "198.51.100." + 2 * round, 1);
            violate(bans, "198.51.100." + (2 * round + 1), 1);
        }
        assertThat(emitted).singleElement().satisfies(e -> assertThat(e.clientAddress()).isEqualTo("192.0.2.66"));
        assertThat(bans.addressSecondsLeft("192.0.2.66")).isPositive();
    }

    @Test
    void observeWhenAddressesOfOneIpv6NetworkViolateThenTheNetworkIsBanned() {
        List<SecurityEvent> emitted = new CopyOnWriteArrayList<>();
        Bans bans = bans(2, 10, emitted);
        violate(bans, "2001:db8::1", 1);
        violate(bans, "2001:db8::2", 1);
        violate(bans, "2001:DB8:0:0:ffff::3", 1);
        assertThat(emitted).singleElement().satisfies(e -> assertThat(e.clientAddress())
                .as("the event names what is banned").isEqualTo("2001:db8:0:0:0:0:0:0/64"));
        assertThat(bans.addressSecondsLeft(ClientAddress.key("2001:db8::99", 64))).isPositive();
        assertThat(bans.addressSecondsLeft(ClientAddress.key("2001:db8:0:1::1", 64))).isZero();
    }
}
