package dev.wsguard;

import dev.wsguard.internal.cluster.ClusterStores;
import dev.wsguard.internal.cluster.LocalStore;
import dev.wsguard.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GuardConfigTest {

    private static final String KEY = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----";

    private static Map<String, String> complete() {
        Map<String, String> m = new HashMap<>();
        m.put("wsguard.origins.allowed", "https://app.example.com, https://*.example.org");
        m.put("mp.jwt.verify.publickey", KEY);
        m.put("mp.jwt.verify.issuer", "https://issuer.test");
        m.put("mp.jwt.verify.audiences", "chat,other");
        return m;
    }

    private static GuardConfig from(Map<String, String> m) {
        return GuardConfig.fromConfig(k -> Optional.ofNullable(m.get(k)));
    }

    @Test
    void fromConfigWhenCompleteThenSecureDefaults() {
        GuardConfig config = from(complete());
        assertThat(config.allowedOrigins()).containsExactly("https://app.example.com", "https://*.example.org");
        assertThat(config.allowMissingOrigin()).isFalse();
        assertThat(config.tokenSources()).containsExactly(TokenSource.HEADER);
        assertThat(config.jwt().algorithms()).containsExactly("RS256");
        assertThat(config.jwt().audiences()).containsExactlyInAnyOrder("chat", "other");
        assertThat(config.jwt().clockSkew()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.jwt().maxLifetime()).isEqualTo(Duration.ofHours(24));
        assertThat(config.jwt().jwksRefresh()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.jwt().jwksFetchWait()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.tokenHeader()).isEqualTo("Authorization");
        assertThat(config.tokenCookie()).isEqualTo("Bearer");
        assertThat(config.queryParameter()).isEqualTo("access_token");
        assertThat(config.handshakeRateLimit()).isEqualTo(new GuardConfig.RateLimitSetting(50, Duration.ofSeconds(10)));
        assertThat(config.messageMaxBytes()).isEqualTo(65536);
        assertThat(config.closeOnMalformed()).isTrue();
        assertThat(config.maxViolations()).isEqualTo(10);
        assertThat(config.ipv6PrefixLength()).isEqualTo(64);
    }

    @Test
    void fromConfigWhenIpv6PrefixLengthSetThenHonouredAndOutOfRangeRefusedNamingTheKey() {
        Map<String, String> m = complete();
        m.put("wsguard.address.ipv6-prefix-length", "56");
        assertThat(from(m).ipv6PrefixLength()).isEqualTo(56);
        m.put("wsguard.address.ipv6-prefix-length", "128");
        assertThat(from(m).ipv6PrefixLength()).isEqualTo(128);
        for (String bad : new String[] {"0", "129", "-64", "sixty-four"}) {
            m.put("wsguard.address.ipv6-prefix-length", bad);
            assertThatThrownBy(() -> from(m)).as(bad).isInstanceOf(GuardConfigException.class)
                    .hasMessageContaining("wsguard.address.ipv6-prefix-length");
        }
    }

    @Test
    void fromConfigWhenMessageAndLimitKeysSetThenHonoured() {
        Map<String, String> m = complete();
        m.put("wsguard.handshake.limit-for-period", "7");
        m.put("wsguard.handshake.limit-refresh-period", "PT2S");
        m.put("wsguard.message.max-bytes", "1024");
        m.put("wsguard.message.malformed", "error");
        m.put("wsguard.rate-limit.publish.limit-for-period", "3");
        GuardConfig config = from(m);
        assertThat(config.handshakeRateLimit()).isEqualTo(new GuardConfig.RateLimitSetting(7, Duration.ofSeconds(2)));
        assertThat(config.messageMaxBytes()).isEqualTo(1024);
        assertThat(config.closeOnMalformed()).isFalse();
        assertThat(config.rateLimit("publish", new GuardConfig.RateLimitSetting(20, Duration.ofSeconds(1))))
                .isEqualTo(new GuardConfig.RateLimitSetting(3, Duration.ofSeconds(1)));
        assertThat(config.rateLimit("other", new GuardConfig.RateLimitSetting(20, Duration.ofSeconds(1))))
                .isEqualTo(new GuardConfig.RateLimitSetting(20, Duration.ofSeconds(1)));
    }

    @Test
    void fromConfigWhenRateLimitKeysListedThenTheirNamesAreKnownAndAMistypedSuffixIsRefused() {
        Map<String, String> m = complete();
        m.put("wsguard.rate-limit.publish.limit-for-period", "3");
        m.put("wsguard.rate-limit.max-keys", "500");
        GuardConfig config = GuardConfig.fromConfig(key -> java.util.Optional.ofNullable(m.get(key)),
                java.util.Set.of("wsguard.rate-limit.publish.limit-for-period", "wsguard.rate-limit.max-keys"));
        assertThat(config.rateLimitNames()).containsExactly("publish");
        assertThat(config.maxRateLimitKeys()).isEqualTo(500);
        assertThatThrownBy(() -> GuardConfig.fromConfig(key -> java.util.Optional.ofNullable(m.get(key)),
                java.util.Set.of("wsguard.rate-limit.publish.limit-per-period")))
                .isInstanceOf(GuardConfigException.class)
                .hasMessageStartingWith("wsguard.rate-limit.publish.limit-per-period is not a wsguard key");
    }

    @Test
    void fromWhenDerivedThenEverySettingCarriedAndPluralSettersReplace() {
        GuardConfig base = GuardConfig.builder().allowedOrigins("https://a.test", "https://b.test")
                .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048())).issuer("https://issuer.test")
                .audiences("one", "two").trustedProxies("10.0.0.0/8").connectionQuotas(1, 2, 3, 4)
                .rateLimit("publish", 5, Duration.ofSeconds(6)).pingInterval(Duration.ofSeconds(7))
                .bansEnabled(false).ipv6PrefixLength(48).build();
        GuardConfig derived = GuardConfig.from(base).allowedOrigins("https://c.test").audiences("three").build();
        assertThat(derived.allowedOrigins()).containsExactly("https://c.test");
        assertThat(derived.jwt().audiences()).containsExactly("three");
        assertThat(derived.jwt().issuer()).isEqualTo("https://issuer.test");
        assertThat(derived.trustedProxies()).containsExactly("10.0.0.0/8");
        assertThat(derived.connectionQuotas()).isEqualTo(new GuardConfig.ConnectionQuotaSetting(1, 2, 3, 4));
        assertThat(derived.rateLimitNames()).containsExactly("publish");
        assertThat(derived.pingInterval()).contains(Duration.ofSeconds(7));
        assertThat(derived.bans()).isEmpty();
        assertThat(derived.ipv6PrefixLength()).isEqualTo(48);
        assertThat(base.allowedOrigins()).as("the base is untouched").containsExactly("https://a.test",
                "https://b.test");
    }

    @Test
    void fromConfigWhenOptionalKeysSetThenHonoured() {
        Map<String, String> m = complete();
        m.put("wsguard.origins.allow-missing", "true");
        m.put("wsguard.token.sources", "header, subprotocol,QUERY");
        m.put("wsguard.token.max-lifetime", "PT1H");
        m.put("mp.jwt.verify.clock.skew", "5");
        m.put("mp.jwt.verify.publickey.algorithm", "RS256,ES256");
        m.put("wsguard.token.jwks-fetch-wait", "PT0S");
        GuardConfig config = from(m);
        assertThat(config.allowMissingOrigin()).isTrue();
        assertThat(config.tokenSources()).containsExactlyInAnyOrder(TokenSource.HEADER, TokenSource.SUBPROTOCOL,
                TokenSource.QUERY);
        assertThat(config.jwt().maxLifetime()).isEqualTo(Duration.ofHours(1));
        assertThat(config.jwt().clockSkew()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.jwt().algorithms()).containsExactlyInAnyOrder("RS256", "ES256");
        assertThat(config.jwt().jwksFetchWait()).isZero();
        assertThat(GuardConfig.from(config).build().jwt().jwksFetchWait()).isZero();
    }

    @Test
    void fromConfigWhenTokenHeaderIsCookieThenCookieSource() {
        Map<String, String> m = complete();
        m.put("mp.jwt.token.header", "Cookie");
        m.put("mp.jwt.token.cookie", "jwt");
        GuardConfig config = from(m);
        assertThat(config.tokenSources()).containsExactly(TokenSource.COOKIE);
        assertThat(config.tokenCookie()).isEqualTo("jwt");
    }

    @Test
    void fromConfigWhenNoOriginsThenFailsAtStartUp() {
        Map<String, String> m = complete();
        m.remove("wsguard.origins.allowed");
        assertThatThrownBy(() -> from(m)).isInstanceOf(GuardConfigException.class)
                .hasMessageContaining("wsguard.origins.allowed");
    }

    @Test
    void fromConfigWhenOriginIsStarThenFailsAtStartUp() {
        Map<String, String> m = complete();
        m.put("wsguard.origins.allowed", "*");
        assertThatThrownBy(() -> from(m)).isInstanceOf(GuardConfigException.class);
    }

    @Test
    void fromConfigWhenNoKeyOrBothKeysThenFailsAtStartUp() {
        Map<String, String> none = complete();
        none.remove("mp.jwt.verify.publickey");
        assertThatThrownBy(() -> from(none)).isInstanceOf(GuardConfigException.class)
                .hasMessageContaining("mp.jwt.verify.publickey");
        Map<String, String> both = complete();
        both.put("mp.jwt.verify.publickey.location", "/keys/a.pem");
        assertThatThrownBy(() -> from(both)).isInstanceOf(GuardConfigException.class);
    }

    @Test
    void fromConfigWhenIssuerOrAudienceMissingThenFailsAtStartUp() {
        Map<String, String> noIssuer = complete();
        noIssuer.remove("mp.jwt.verify.issuer");
        assertThatThrownBy(() -> from(noIssuer)).isInstanceOf(GuardConfigException.class)
                .hasMessageContaining("mp.jwt.verify.issuer");
        Map<String, String> noAudience = complete();
        noAudience.remove("mp.jwt.verify.audiences");
        assertThatThrownBy(() -> from(noAudience)).isInstanceOf(GuardConfigException.class)
                .hasMessageContaining("mp.jwt.verify.audiences");
    }

    @Test
    void fromConfigWhenValuesMalformedThenFailsAtStartUp() {
        for (String[] bad : new String[][] {
                {"wsguard.token.sources", "header,carrier-pigeon"},
                {"wsguard.token.sources", " , "},
                {"wsguard.origins.allow-missing", "yes"},
                {"wsguard.token.max-lifetime", "24h"},
                {"wsguard.token.max-lifetime", "PT0S"},
                {"mp.jwt.verify.clock.skew", "1m"},
                {"mp.jwt.verify.clock.skew", "3600"},
                {"wsguard.token.jwks-fetch-wait", "-PT1S"},
                {"wsguard.token.jwks-fetch-wait", "PT6S"}}) {
            Map<String, String> m = complete();
            m.put(bad[0], bad[1]);
            assertThatThrownBy(() -> from(m)).as("%s=%s", bad[0], bad[1]).isInstanceOf(GuardConfigException.class);
        }
    }

    // ---------------------------------------------------------------- wsguard.cluster.*: nothing silently local

    @Test
    void fromConfigWhenNothingSetThenInProcessAndFailClosed() {
        GuardConfig.ClusterSetting cluster = from(complete()).cluster();
        assertThat(cluster).isEqualTo(GuardConfig.ClusterSetting.IN_PROCESS);
        assertThat(cluster.store()).isEqualTo(GuardConfig.ClusterSetting.Store.LOCAL);
        assertThat(cluster.onStoreFailure()).isEqualTo(GuardConfig.ClusterSetting.OnStoreFailure.FAIL_CLOSED);
        assertThat(cluster.lease()).isEqualTo(Duration.ofSeconds(15));
        assertThat(ClusterStores.of(cluster)).isSameAs(LocalStore.INSTANCE);
    }

    @Test
    void fromConfigWhenRedisConfiguredThenRead() {
        Map<String, String> m = complete();
        m.put("wsguard.cluster.store", "Redis");
        m.put("wsguard.cluster.redis.uri", "redis://127.0.0.1:42999");
        m.put("wsguard.cluster.lease", "PT5S");
        m.put("wsguard.cluster.on-store-failure", "local");
        m.put("wsguard.cluster.timeout", "PT0.2S");
        m.put("wsguard.cluster.batch-percent", "25");
        assertThat(from(m).cluster()).isEqualTo(new GuardConfig.ClusterSetting(GuardConfig.ClusterSetting.Store.REDIS,
                "redis://127.0.0.1:42999", Duration.ofSeconds(5), GuardConfig.ClusterSetting.OnStoreFailure.LOCAL,
                Duration.ofMillis(200), 25));
    }

    @Test
    void fromConfigWhenJCacheConfiguredThenRead() {
        Map<String, String> m = complete();
        m.put("wsguard.cluster.store", "JCache");
        m.put("wsguard.cluster.jcache.provider", " jndi:payara/CachingProvider ");
        m.put("wsguard.cluster.jcache.uri", "file:/etc/hazelcast.xml");
        assertThat(from(m).cluster()).isEqualTo(new GuardConfig.ClusterSetting(
                GuardConfig.ClusterSetting.Store.JCACHE, null, Duration.ofSeconds(15),
                GuardConfig.ClusterSetting.OnStoreFailure.FAIL_CLOSED, Duration.ofMillis(500), 10,
                "jndi:payara/CachingProvider", "file:/etc/hazelcast.xml"));
    }

    @Test
    void storeWhenJCacheProviderUnknownThenRefusedNamingTheKey() {
        GuardConfig.ClusterSetting setting = new GuardConfig.ClusterSetting(GuardConfig.ClusterSetting.Store.JCACHE,
                null, Duration.ofSeconds(15), GuardConfig.ClusterSetting.OnStoreFailure.FAIL_CLOSED,
                Duration.ofMillis(300), 10, "com.example.NoSuchCachingProvider", null);
        assertThatThrownBy(() -> ClusterStores.of(setting)).isInstanceOf(GuardConfigException.class)
                .hasMessageContaining("wsguard.cluster.store=jcache needs a JCache provider named"
                        + " com.example.NoSuchCachingProvider");
    }

    @Test
    void fromConfigWhenValueUnknownOrIncompleteThenRefusedNamingTheKey() {
        String[][] bad = {
                {"wsguard.cluster.store", "hazelcast", "wsguard.cluster.store must be local, redis or jcache"},
                {"wsguard.cluster.jcache.uri", " ", "wsguard.cluster.jcache.provider and wsguard.cluster.jcache.uri"
                        + " must not be blank"},
                {"wsguard.cluster.store", "redis", "needs wsguard.cluster.redis.uri"},
                {"wsguard.cluster.on-store-failure", "open", "wsguard.cluster.on-store-failure must be"},
                {"wsguard.cluster.lease", "PT1S", "wsguard.cluster.lease must be at least PT3S"},
                {"wsguard.cluster.timeout", "PT0S", "wsguard.cluster.timeout"},
                {"wsguard.cluster.batch-percent", "0", "wsguard.cluster.batch-percent must be 1 to 100"},
                {"wsguard.cluster.batch-percent", "101", "wsguard.cluster.batch-percent must be 1 to 100"},
        };
        for (String[] entry : bad) {
            Map<String, String> m = complete();
            m.put(entry[0], entry[1]);
            assertThatThrownBy(() -> from(m)).as(entry[0] + "=" + entry[1]).isInstanceOf(GuardConfigException.class)
                    .hasMessageContaining(entry[2]);
        }
    }

    @Test
    void storeWhenRedisUnreachableAtStartThenRefusedNotSilentlyLocal() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            port = probe.getLocalPort();
        }
        GuardConfig.ClusterSetting setting = new GuardConfig.ClusterSetting(GuardConfig.ClusterSetting.Store.REDIS,
                "redis://127.0.0.1:" + port, Duration.ofSeconds(15),
                GuardConfig.ClusterSetting.OnStoreFailure.LOCAL, Duration.ofMillis(300), 10);
        assertThatThrownBy(() -> ClusterStores.of(setting)).isInstanceOf(GuardConfigException.class)
                .hasMessageContaining("cannot reach 127.0.0.1:" + port);
    }
}
