package dev.wsguard;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The long-lived-session keys: authentication mode and deadline, keep-alive pings, outbound bounds. */
class SessionConfigTest {

    private static final String KEY = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----";

    private static Map<String, String> complete() {
        Map<String, String> m = new HashMap<>();
        m.put("wsguard.origins.allowed", "https://app.example.com");
        m.put("mp.jwt.verify.publickey", KEY);
        m.put("mp.jwt.verify.issuer", "https://issuer.test");
        m.put("mp.jwt.verify.audiences", "chat");
        return m;
    }

    private static GuardConfig from(Map<String, String> m) {
        return GuardConfig.fromConfig(k -> Optional.ofNullable(m.get(k)));
    }

    private static GuardConfig.Builder builder() {
        return GuardConfig.builder().allowedOrigins("https://app.example.com").publicKey(KEY)
                .issuer("https://issuer.test").audiences("chat");
    }

    @Test
    void fromConfigWhenUnsetThenHandshakeModeNoPingsAndBoundedQueue() {
        GuardConfig config = from(complete());
        assertThat(config.authMode()).isEqualTo(GuardConfig.AuthMode.HANDSHAKE);
        assertThat(config.authDeadline()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.pingInterval()).isEmpty();
        assertThat(config.outboundMaxBytes()).isEqualTo(256 * 1024);
        assertThat(config.outboundMaxMessages()).isEqualTo(1024);
    }

    @Test
    void fromConfigWhenKeysSetThenHonoured() {
        Map<String, String> m = complete();
        m.put("wsguard.auth.mode", "first-message");
        m.put("wsguard.auth.deadline", "PT3S");
        m.put("wsguard.session.ping-interval", "PT20S");
        m.put("wsguard.outbound.max-bytes", "65536");
        m.put("wsguard.outbound.max-messages", "64");
        GuardConfig config = from(m);
        assertThat(config.authMode()).isEqualTo(GuardConfig.AuthMode.FIRST_MESSAGE);
        assertThat(config.authDeadline()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.pingInterval()).contains(Duration.ofSeconds(20));
        assertThat(config.outboundMaxBytes()).isEqualTo(65536);
        assertThat(config.outboundMaxMessages()).isEqualTo(64);
    }

    @Test
    void buildWhenFirstMessageModeWithoutDeadlineThenRefused() {
        assertThatThrownBy(() -> builder().authMode(GuardConfig.AuthMode.FIRST_MESSAGE).authDeadline(null).build())
                .isInstanceOf(GuardConfigException.class).hasMessageContaining("wsguard.auth.deadline");
    }

    @Test
    void buildWhenDeadlineZeroOrTooLongThenRefused() {
        assertThatThrownBy(() -> builder().authMode(GuardConfig.AuthMode.FIRST_MESSAGE)
                .authDeadline(Duration.ZERO).build()).isInstanceOf(GuardConfigException.class);
        assertThatThrownBy(() -> builder().authMode(GuardConfig.AuthMode.FIRST_MESSAGE)
                .authDeadline(Duration.ofMinutes(6)).build()).isInstanceOf(GuardConfigException.class);
    }

    @Test
    void fromConfigWhenUnknownModeOrBadBoundThenRefused() {
        Map<String, String> mode = complete();
        mode.put("wsguard.auth.mode", "none");
        assertThatThrownBy(() -> from(mode)).isInstanceOf(GuardConfigException.class)
                .hasMessageContaining("wsguard.auth.mode");
        Map<String, String> bound = complete();
        bound.put("wsguard.outbound.max-bytes", "0");
        assertThatThrownBy(() -> from(bound)).isInstanceOf(GuardConfigException.class)
                .hasMessageContaining("wsguard.outbound");
        Map<String, String> ping = complete();
        ping.put("wsguard.session.ping-interval", "PT0S");
        assertThatThrownBy(() -> from(ping)).isInstanceOf(GuardConfigException.class)
                .hasMessageContaining("ping-interval");
    }
}
