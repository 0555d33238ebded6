package dev.wsguard.internal;

import dev.wsguard.GuardConfig;
import dev.wsguard.GuardConfigException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigKeysTest {

    @Test
    void unknownWhenTypoUnderLibrarySectionThenReportedWithNearestKey() {
        assertThat(ConfigKeys.unknown(Set.of("wsguard.token.max-lifetme", "wsguard.bans.duraton")))
                .containsExactly(
                        "wsguard.bans.duraton is not a wsguard key and is ignored; did you mean wsguard.bans.duration?",
                        "wsguard.token.max-lifetme is not a wsguard key and is ignored; did you mean"
                                + " wsguard.token.max-lifetime?");
    }

    @Test
    void unknownWhenSectionItselfMisspeltThenReported() {
        assertThat(ConfigKeys.unknown(Set.of("wsguard.orgins.allowed", "wsguard.trusted-proxy")))
                .containsExactly(
                        "wsguard.orgins.allowed is not a wsguard key and is ignored; did you mean"
                                + " wsguard.origins.allowed?",
                        "wsguard.trusted-proxy is not a wsguard key and is ignored; did you mean"
                                + " wsguard.trusted-proxies?");
    }

    @Test
    void unknownWhenKnownKeysOrApplicationKeysThenNothingReported() {
        Set<String> configured = new java.util.HashSet<>(ConfigKeys.KEYS);
        configured.add("wsguard.rate-limit.publish.limit-for-period");
        // The example's own keys: its launch contract, TLS files, timeouts, its endpoint's bound and dev mode.
        configured.addAll(List.of("wsguard.host", "wsguard.port", "wsguard.tls.keystore", "wsguard.tls.password",
                "wsguard.tls.key", "wsguard.tls.certificates", "wsguard.handshake-timeout", "wsguard.idle-timeout",
                "wsguard.chat.max-subscriptions", "wsguard.dev.token-lifetime", "mp.jwt.decrypt.key.location"));
        assertThat(ConfigKeys.unknown(configured)).isEmpty();
    }

    @Test
    void unknownWhenRateLimitKeyThenLeftToTheDeploymentCheck() {
        assertThat(ConfigKeys.unknown(Set.of("wsguard.rate-limit.publish.limit-per-period"))).isEmpty();
    }

    @Test
    void checkedWhenKeyNotListedThenReadingItFails() {
        var lookup = ConfigKeys.checked(key -> Optional.of("1"));
        assertThat(lookup.apply("wsguard.rate-limit.publish.limit-refresh-period")).contains("1");
        assertThatThrownBy(() -> lookup.apply("wsguard.token.unlisted"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("wsguard.token.unlisted");
    }

    @Test
    void fromConfigWhenEveryListedKeySetThenEachIsReadWithoutFailure() {
        Map<String, String> values = Map.of("wsguard.origins.allowed", "https://app.example.com",
                "mp.jwt.verify.publickey.location", "https://idp.example.com/jwks",
                "mp.jwt.verify.issuer", "https://idp.example.com", "mp.jwt.verify.audiences", "chat");
        List<String> read = new ArrayList<>();
        GuardConfig.fromConfig(key -> {
            read.add(key);
            return Optional.ofNullable(values.get(key));
        });
        assertThat(read).containsAll(ConfigKeys.KEYS);
    }

    @Test
    void fromConfigWhenSystemPropertyMisspeltThenWarningNamesItAndTheNearestKey() {
        Logger logger = Logger.getLogger("dev.wsguard");
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        System.setProperty("wsguard.origins.alowed", "https://app.example.com");
        try {
            // Nothing else is configured, so the configuration itself is refused: the warning comes first.
            assertThatThrownBy(GuardConfig::fromConfig).isInstanceOf(GuardConfigException.class);
        } finally {
            System.clearProperty("wsguard.origins.alowed");
            logger.removeHandler(capture);
        }
        assertThat(records).extracting(LogRecord::getLevel).containsExactly(Level.WARNING);
        assertThat(records).extracting(LogRecord::getMessage).containsExactly(
                "wsguard.origins.alowed is not a wsguard key and is ignored; did you mean wsguard.origins.allowed?");
    }
}
