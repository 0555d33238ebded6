package dev.wsguard;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code wsguard.bans.*} and {@code wsguard.metrics.*} keys and their builder counterparts. */
class TelemetryConfigTest {

    private static Map<String, String> complete() {
        Map<String, String> m = new HashMap<>();
        m.put("wsguard.origins.allowed", "https://app.example.com");
        m.put("mp.jwt.verify.publickey", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----");
        m.put("mp.jwt.verify.issuer", "https://issuer.test");
        m.put("mp.jwt.verify.audiences", "chat");
        return m;
    }

    private static GuardConfig from(Map<String, String> m) {
        return GuardConfig.fromConfig(k -> Optional.ofNullable(m.get(k)));
    }

    private static GuardConfig.Builder builder() {
        return GuardConfig.builder().allowedOrigins("https://app.example.com").publicKey("k").issuer("i")
                .audiences("a");
    }

    @Test
    void fromConfigWhenNothingSetThenBansOnAndMetricsOn() {
        GuardConfig config = from(complete());
        assertThat(config.bans()).hasValue(new GuardConfig.BanSetting(100, Duration.ofMinutes(1),
                Duration.ofMinutes(5)));
        assertThat(config.metricsEnabled()).isTrue();
        assertThat(config.meterRegistry()).as("Micrometer's global registry").isNull();
    }

    @Test
    void fromConfigWhenBanKeysSetThenHonoured() {
        Map<String, String> m = complete();
        m.put("wsguard.bans.max-violations", "5");
        m.put("wsguard.bans.window", "PT10S");
        m.put("wsguard.bans.duration", "PT30M");
        m.put("wsguard.metrics.enabled", "false");
        GuardConfig config = from(m);
        assertThat(config.bans()).hasValue(new GuardConfig.BanSetting(5, Duration.ofSeconds(10),
                Duration.ofMinutes(30)));
        assertThat(config.metricsEnabled()).isFalse();
    }

    @Test
    void fromConfigWhenBansDisabledThenNone() {
        Map<String, String> m = complete();
        m.put("wsguard.bans.enabled", "false");
        assertThat(from(m).bans()).isEmpty();
    }

    @Test
    void fromConfigWhenBanValuesMalformedThenFailsAtStartUp() {
        for (String[] bad : new String[][] {{"wsguard.bans.max-violations", "0"},
                {"wsguard.bans.max-violations", "many"}, {"wsguard.bans.window", "PT0S"},
                {"wsguard.bans.duration", "5m"}, {"wsguard.bans.enabled", "yes"},
                {"wsguard.metrics.enabled", "on"}}) {
            Map<String, String> m = complete();
            m.put(bad[0], bad[1]);
            assertThatThrownBy(() -> from(m)).as("%s=%s", bad[0], bad[1]).isInstanceOf(GuardConfigException.class);
        }
    }

    @Test
    void buildWhenMeterRegistryIsNotARegistryThenFails() {
        assertThatThrownBy(() -> builder().meterRegistry("registry").build())
                .isInstanceOf(GuardConfigException.class).hasMessageContaining("MeterRegistry");
        assertThatThrownBy(() -> builder().meterRegistry(new SimpleMeterRegistry()).metricsEnabled(false).build())
                .isInstanceOf(GuardConfigException.class);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        assertThat(builder().meterRegistry(registry).build().meterRegistry()).isSameAs(registry);
    }
}
