package dev.wsguard.contract.cluster;

import dev.wsguard.GuardConfig;
import dev.wsguard.GuardedEndpoint;
import dev.wsguard.OnMessageType;
import dev.wsguard.WsGuard;
import dev.wsguard.WsGuardConfigurator;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

/**
 * One node's endpoint of a cluster sharing its quotas, limits, bans and revocations through Redis. The same class
 * runs in the WAR on the server (configured by the WAR's MicroProfile Config) and on a {@code GuardedServer} in the
 * test's JVM (configured in code with the same keys): two nodes of one cluster.
 */
@ServerEndpoint(value = "/cluster", configurator = ClusterEndpoint.Guard.class)
public class ClusterEndpoint extends GuardedEndpoint<ClusterMessage> {

    public static final int POSTS_PER_MINUTE = 4;

    @OnMessageType
    String echo(ClusterMessage.Echo echo, Session session) {
        return "{\"type\":\"echo\",\"from\":\"" + WsGuard.identity(session).getSubject() + "\"}";
    }

    @OnMessageType
    String post(ClusterMessage.Post post, Session session) {
        return "{\"type\":\"posted\"}";
    }

    /** The application's configuration; in the test's JVM, the one {@link #given} before the node starts. */
    public static class Guard extends WsGuardConfigurator {
        public static volatile GuardConfig given;

        public Guard() {
            super(given != null ? given : GuardConfig.fromConfig());
        }
    }
}
