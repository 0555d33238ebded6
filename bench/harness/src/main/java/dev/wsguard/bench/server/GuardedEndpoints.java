package dev.wsguard.bench.server;

import dev.wsguard.GuardConfig;
import dev.wsguard.WsGuardConfigurator;
import dev.wsguard.bench.BenchMessage;
import dev.wsguard.bench.Wire;
import dev.wsguard.message.StrictJsonDecoder;
import jakarta.websocket.OnMessage;
import jakarta.websocket.server.ServerEndpoint;
import java.time.Duration;

/**
 * The guarded endpoints under load, one configuration each. The load clients all come from 127.0.0.1, so the
 * per-address handshake limit and connection quotas are raised on the endpoints they use (they would otherwise
 * measure the quotas, not the cost of the checks); the fairness endpoint keeps every default.
 */
public final class GuardedEndpoints {

    /** The verification key's location, set by the server's main before deployment. */
    static volatile String keyLocation;

    private GuardedEndpoints() {
    }

    /** wsguard's defaults: what the fairness test runs against (its clients come from distinct addresses). */
    static GuardConfig.Builder defaults() {
        return GuardConfig.builder()
                .allowedOrigins(Wire.ORIGIN)
                .publicKeyLocation(keyLocation)
                .issuer(Wire.ISSUER)
                .audiences(Wire.AUDIENCE);
    }

    static GuardConfig.Builder base() {
        return defaults()
                .handshakeRateLimit(1_000_000, Duration.ofSeconds(1))
                .connectionQuotas(1_000_000, 1_000_000, 1_000_000, 1_000_000);
    }

    /** For throughput: message rate limits far above what one machine can send, so every check runs and passes. */
    static GuardConfig.Builder unthrottled() {
        return base()
                .rateLimit("session", 1_000_000, Duration.ofSeconds(1))
                .rateLimit("publish", 1_000_000, Duration.ofSeconds(1));
    }

    /** Throughput, latency, handshakes with the verified-token cache (default size), memory. */
    @ServerEndpoint(value = "/guarded", configurator = Guarded.Config.class)
    public static class Guarded extends BenchHandlers {
        public static class Config extends WsGuardConfigurator {
            public Config() {
                super(unthrottled().build());
            }
        }
    }

    /**
     * Throughput of the standard shape: a plain {@code @ServerEndpoint} with one {@code @OnMessage} taking the
     * family through wsguard's strict decoder, deployed wrapped; the same limits as {@code /guarded}.
     */
    @ServerEndpoint(value = "/guarded-standard", configurator = GuardedStandard.Config.class,
            decoders = GuardedStandard.Messages.class)
    public static class GuardedStandard {
        public static class Config extends WsGuardConfigurator {
            public Config() {
                super(unthrottled().build());
            }
        }

        /** The family's strict decoder, as a user declares it. */
        public static final class Messages extends StrictJsonDecoder<BenchMessage> {
            public Messages() {
                super(BenchMessage.class);
            }
        }

        @OnMessage
        public String onMessage(BenchMessage message) {
            return Wire.ACK;
        }
    }

    /** Handshakes with the cache off: every handshake verifies the signature. */
    @ServerEndpoint(value = "/guarded-nocache", configurator = GuardedNoCache.Config.class)
    public static class GuardedNoCache extends BenchHandlers {
        public static class Config extends WsGuardConfigurator {
            public Config() {
                super(unthrottled().tokenCacheSize(0).build());
            }
        }
    }

    /**
     * Fairness under a flood: wsguard's defaults throughout (50 handshakes per 10 s per address, 50 messages/s per
     * session, 20 publish/s per user, connection quotas).
     */
    @ServerEndpoint(value = "/guarded-default", configurator = GuardedDefault.Config.class)
    public static class GuardedDefault extends BenchHandlers {
        public static class Config extends WsGuardConfigurator {
            public Config() {
                super(defaults().build());
            }
        }
    }
}
