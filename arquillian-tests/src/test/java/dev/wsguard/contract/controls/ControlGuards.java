package dev.wsguard.contract.controls;

import dev.wsguard.GuardConfig;
import dev.wsguard.WsGuardConfigurator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.time.Duration;

/**
 * One configurator per control: the application's MicroProfile Config (the WAR's
 * {@code microprofile-config.properties}: origins, key, issuer, audience, and nothing raised) with that one control set
 * low in code, as {@code GuardConfig.from} lets an application do.
 */
public final class ControlGuards {

    /** The registry the metered endpoint's meters go to; the inspector reads it. */
    static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();

    private ControlGuards() {
    }

    private static GuardConfig.Builder fromConfig() {
        return GuardConfig.from(GuardConfig.fromConfig());
    }

    /** Two connections at once from one address. */
    public static class AddressQuota extends WsGuardConfigurator {
        public AddressQuota() {
            super(fromConfig().connectionQuotas(2, 20, 10_000, 20_000).build());
        }
    }

    /** Two connections at once on the endpoint, from any addresses. */
    public static class EndpointQuota extends WsGuardConfigurator {
        public EndpointQuota() {
            super(fromConfig().connectionQuotas(100, 20, 2, 20_000).build());
        }
    }

    /** Two connections at once in the whole application, on any guarded endpoint. */
    public static class TotalQuota extends WsGuardConfigurator {
        public TotalQuota() {
            super(fromConfig().connectionQuotas(100, 20, 10_000, 2).build());
        }
    }

    /** Three handshakes per client address per 30 s, the peer 127.0.0.1 a trusted proxy. */
    public static class Proxied extends WsGuardConfigurator {
        public Proxied() {
            super(fromConfig().handshakeRateLimit(3, Duration.ofSeconds(30)).trustedProxies("127.0.0.1/32").build());
        }
    }

    /** The same limit with no trusted proxy (the default). */
    public static class Direct extends WsGuardConfigurator {
        public Direct() {
            super(fromConfig().handshakeRateLimit(3, Duration.ofSeconds(30)).build());
        }
    }

    /**
     * Two handshakes per client an hour, 127.0.0.1 a trusted proxy, IPv6 clients counted by their /64 (the default):
     * a client cannot buy a fresh budget by moving to another address of its network.
     */
    public static class ProxiedNetworks extends WsGuardConfigurator {
        public ProxiedNetworks() {
            super(fromConfig().handshakeRateLimit(2, Duration.ofHours(1)).trustedProxies("127.0.0.1/32").build());
        }
    }

    /** The same, each IPv6 address counted alone (/128): what a guard without the network rule would do. */
    public static class ProxiedHosts extends WsGuardConfigurator {
        public ProxiedHosts() {
            super(fromConfig().handshakeRateLimit(2, Duration.ofHours(1)).trustedProxies("127.0.0.1/32")
                    .ipv6PrefixLength(128).build());
        }
    }

    /**
     * Room for 20 addresses in each per-address table (the default is 100,000) and one handshake per address an
     * hour: a few dozen client addresses fill the tables.
     */
    public static class SmallTable extends WsGuardConfigurator {
        public SmallTable() {
            super(fromConfig().maxRateLimitKeys(20).handshakeRateLimit(1, Duration.ofHours(1)).build());
        }
    }

    /** First-message authentication with a two-second deadline. */
    public static class FirstMessage extends WsGuardConfigurator {
        public FirstMessage() {
            super(fromConfig().authMode(GuardConfig.AuthMode.FIRST_MESSAGE).authDeadline(Duration.ofSeconds(2))
                    .build());
        }
    }

    /** Keys from the JWKS URL the test serves on loopback ({@code controls.jwks.url}), not inline. */
    public static class SlowKeys extends WsGuardConfigurator {
        public SlowKeys() {
            super(fromKeyServer());
        }

        private static GuardConfig fromKeyServer() {
            Config config = ConfigProvider.getConfig(SlowKeys.class.getClassLoader());
            return GuardConfig.builder()
                    .allowedOrigins(config.getValue("wsguard.origins.allowed", String.class))
                    .issuer(config.getValue("mp.jwt.verify.issuer", String.class))
                    .audiences(config.getValue("mp.jwt.verify.audiences", String.class))
                    .publicKeyLocation(config.getValue("controls.jwks.url", String.class))
                    .build();
        }
    }

    /** Every default, its meters in {@link #METERS}. */
    public static class Metered extends WsGuardConfigurator {
        public Metered() {
            super(fromConfig().meterRegistry(METERS).build());
        }
    }
}
