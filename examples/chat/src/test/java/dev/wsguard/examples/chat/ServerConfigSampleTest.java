package dev.wsguard.examples.chat;

import dev.wsguard.GuardConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The sample {@code server-config/microprofile-config.properties} is complete and is a configuration that deploys. */
class ServerConfigSampleTest {

    private static final Path SAMPLE = Path.of("..", "..", "server-config", "microprofile-config.properties");

    @Test
    void sampleWhenReadByGuardConfigThenItsValuesApply() throws IOException {
        Properties sample = load();
        GuardConfig config = GuardConfig.fromConfig(key -> Optional.ofNullable(sample.getProperty(key)));
        assertThat(config.trustedProxies()).containsExactly("127.0.0.1/32");
        assertThat(config.connectionQuotas()).isEqualTo(new GuardConfig.ConnectionQuotaSetting(100, 5, 10_000, 20_000));
        assertThat(config.messageMaxBytes()).isEqualTo(8192);
        assertThat(config.rateLimit("publish", new GuardConfig.RateLimitSetting(1, Duration.ofHours(1))))
                .isEqualTo(new GuardConfig.RateLimitSetting(20, Duration.ofSeconds(1)));
    }

    @Test
    void sampleWhenListedThenEveryKeyTheLibraryReadsIsThere() throws IOException {
        String text = Files.readString(SAMPLE);
        // mp.jwt.verify.publickey is shown commented out: it and .location exclude each other.
        assertThat(text).contains("#mp.jwt.verify.publickey=");
        assertThat(load().stringPropertyNames()).contains("wsguard.origins.allowed", "wsguard.origins.allow-missing",
                "mp.jwt.verify.publickey.location", "mp.jwt.verify.publickey.algorithm", "mp.jwt.verify.issuer",
                "mp.jwt.verify.audiences", "mp.jwt.verify.clock.skew", "mp.jwt.token.header", "mp.jwt.token.cookie",
                "wsguard.token.sources", "wsguard.token.query-parameter", "wsguard.token.max-lifetime",
                "wsguard.token.jwks-refresh", "wsguard.token.jwks-fetch-wait", "wsguard.trusted-proxies",
                "wsguard.handshake.limit-for-period", "wsguard.handshake.limit-refresh-period",
                "wsguard.connections.max-per-address", "wsguard.connections.max-per-user",
                "wsguard.connections.max-per-endpoint",
                "wsguard.connections.max-total", "wsguard.session.max-lifetime", "wsguard.message.max-bytes",
                "wsguard.message.malformed", "wsguard.message.max-violations", "wsguard.message.violation-window",
                "wsguard.rate-limit.session.limit-for-period", "wsguard.rate-limit.session.limit-refresh-period",
                "wsguard.rate-limit.max-keys", "wsguard.address.ipv6-prefix-length", "wsguard.auth.mode",
                "wsguard.auth.deadline", "wsguard.session.ping-interval", "wsguard.outbound.max-bytes",
                "wsguard.outbound.max-messages",
                "wsguard.bans.enabled", "wsguard.bans.max-violations", "wsguard.bans.window", "wsguard.bans.duration",
                "wsguard.metrics.enabled");
    }

    private static Properties load() throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(SAMPLE)) {
            p.load(in);
        }
        return p;
    }
}
