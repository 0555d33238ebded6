package dev.wsguard.bench.server;

import dev.wsguard.GuardConfig;
import dev.wsguard.WsGuardConfigurator;
import jakarta.websocket.server.ServerEndpoint;
import java.time.Duration;

/**
 * The endpoints of {@code bench/run --cluster}: {@code /guarded}'s configuration with the server's cluster store, and
 * a per-user publish limit low enough that its batches come from the shared bucket several times a second, yet high
 * enough that no message of the load is refused. Each store runs in a server JVM of its own; {@code /cluster-small}
 * takes batches of 1 % instead of the default 10 %, to show what smaller batches cost.
 */
public final class ClusterEndpoints {

    /** The per-user publish allowance per second: about three times what one of 10 connections sends here. */
    public static final int PUBLISH_PER_SECOND = 10_000;

    /** The store of {@code /cluster} and the one of {@code /cluster-small}, set by the server's main. */
    static volatile GuardConfig.ClusterSetting store;
    static volatile GuardConfig.ClusterSetting smallBatches;

    private ClusterEndpoints() {
    }

    static GuardConfig.Builder shared(GuardConfig.ClusterSetting setting) {
        return GuardedEndpoints.base()
                .rateLimit("session", 1_000_000, Duration.ofSeconds(1))
                .rateLimit("publish", PUBLISH_PER_SECOND, Duration.ofSeconds(1))
                .cluster(setting);
    }

    /** Messages and handshakes with the server's store and its default batches (10 % of the allowance). */
    @ServerEndpoint(value = "/cluster", configurator = Cluster.Config.class)
    public static class Cluster extends BenchHandlers {
        public static class Config extends WsGuardConfigurator {
            public Config() {
                super(shared(store).build());
            }
        }
    }

    /** Messages with batches of 1 % of the allowance: ten times as many fetches from the shared bucket. */
    @ServerEndpoint(value = "/cluster-small", configurator = ClusterSmall.Config.class)
    public static class ClusterSmall extends BenchHandlers {
        public static class Config extends WsGuardConfigurator {
            public Config() {
                super(shared(smallBatches).build());
            }
        }
    }
}
