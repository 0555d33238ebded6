package dev.wsguard.contract.controls;

import dev.wsguard.GuardedBroadcaster;
import dev.wsguard.GuardedEndpoint;
import dev.wsguard.OnMessageType;
import dev.wsguard.WsGuard;
import dev.wsguard.WsGuardConfigurator;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The controls endpoints' answers: plain handlers, no checks of their own. Each nested class deploys them at one
 * path with the configuration of one control ({@link ControlGuards}).
 */
public abstract class ControlEndpoint extends GuardedEndpoint<ControlMessage> {

    /** The subscriptions, delivered through the guard's re-check. */
    static final GuardedBroadcaster FEED = new GuardedBroadcaster(ControlMessage.Subscribe.class);
    /** The same subscriptions as a plain map: what a team without wsguard delivers to. */
    static final Map<String, Set<Session>> NAIVE = new ConcurrentHashMap<>();

    @OnMessageType
    String echo(ControlMessage.Echo echo, Session session) {
        return "{\"type\":\"echo\",\"from\":\"" + WsGuard.identity(session).getSubject() + "\",\"length\":"
                + echo.text().length() + "}";
    }

    @OnMessageType
    String vote(ControlMessage.Vote vote, Session session) {
        return "{\"type\":\"voted\"}";
    }

    @OnMessageType
    String subscribe(ControlMessage.Subscribe subscribe, Session session) {
        FEED.subscribe(session, subscribe.channel());
        NAIVE.computeIfAbsent(subscribe.channel(), c -> ConcurrentHashMap.newKeySet()).add(session);
        return "{\"type\":\"subscribed\",\"channel\":\"" + subscribe.channel() + "\"}";
    }

    @OnMessageType
    String publish(ControlMessage.Publish publish, Session session) {
        String message = "{\"type\":\"message\",\"text\":\"" + publish.text() + "\"}";
        int delivered = 0;
        if (publish.naive()) {
            for (Session subscriber : NAIVE.getOrDefault(publish.channel(), Set.of())) {
                if (subscriber.isOpen()) {
                    subscriber.getAsyncRemote().sendText(message);
                    delivered++;
                }
            }
        } else {
            delivered = FEED.broadcast(publish.channel(), message);
        }
        return "{\"type\":\"published\",\"delivered\":" + delivered + "}";
    }

    @Override
    protected void closed(Session session, CloseReason reason) {
        FEED.unsubscribe(session);
        NAIVE.values().forEach(sessions -> sessions.remove(session));
    }

    /** Every default: handshake rate, bans, quotas as shipped. */
    @ServerEndpoint(value = "/rate", configurator = WsGuardConfigurator.class)
    public static class Rate extends ControlEndpoint {
    }

    /** Every default, for the abuse bans and the audit log's cap. */
    @ServerEndpoint(value = "/bans", configurator = WsGuardConfigurator.class)
    public static class Bans extends ControlEndpoint {
    }

    /** Every default, for per-address message limits and odd {@code Origin} values. */
    @ServerEndpoint(value = "/votes", configurator = WsGuardConfigurator.class)
    public static class Votes extends ControlEndpoint {
    }

    /** Every default, for {@code GuardedBroadcaster}. */
    @ServerEndpoint(value = "/feed", configurator = WsGuardConfigurator.class)
    public static class Feed extends ControlEndpoint {
    }

    /** Every default, for the audit log's cap on message rate-limit refusals. */
    @ServerEndpoint(value = "/audit-votes", configurator = WsGuardConfigurator.class)
    public static class AuditVotes extends ControlEndpoint {
    }

    /** Three handshakes per address per 30 s, for the audit log's cap on handshake rate-limit refusals. */
    @ServerEndpoint(value = "/audit-handshakes", configurator = ControlGuards.Direct.class)
    public static class AuditHandshakes extends ControlEndpoint {
    }

    @ServerEndpoint(value = "/address-quota", configurator = ControlGuards.AddressQuota.class)
    public static class AddressQuota extends ControlEndpoint {
    }

    @ServerEndpoint(value = "/endpoint-quota", configurator = ControlGuards.EndpointQuota.class)
    public static class EndpointQuota extends ControlEndpoint {
    }

    @ServerEndpoint(value = "/total-quota", configurator = ControlGuards.TotalQuota.class)
    public static class TotalQuota extends ControlEndpoint {
    }

    @ServerEndpoint(value = "/proxied", configurator = ControlGuards.Proxied.class)
    public static class Proxied extends ControlEndpoint {
    }

    @ServerEndpoint(value = "/networks", configurator = ControlGuards.ProxiedNetworks.class)
    public static class ProxiedNetworks extends ControlEndpoint {
    }

    @ServerEndpoint(value = "/hosts", configurator = ControlGuards.ProxiedHosts.class)
    public static class ProxiedHosts extends ControlEndpoint {
    }

    @ServerEndpoint(value = "/table", configurator = ControlGuards.SmallTable.class)
    public static class SmallTable extends ControlEndpoint {
    }

    @ServerEndpoint(value = "/direct", configurator = ControlGuards.Direct.class)
    public static class Direct extends ControlEndpoint {
    }

    @ServerEndpoint(value = "/first", configurator = ControlGuards.FirstMessage.class)
    public static class FirstMessage extends ControlEndpoint {
    }

    @ServerEndpoint(value = "/slow-keys", configurator = ControlGuards.SlowKeys.class)
    public static class SlowKeys extends ControlEndpoint {
    }

    @ServerEndpoint(value = "/metered", configurator = ControlGuards.Metered.class)
    public static class Metered extends ControlEndpoint {
    }
}
