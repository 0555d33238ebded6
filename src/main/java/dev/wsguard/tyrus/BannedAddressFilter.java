package dev.wsguard.tyrus;

import dev.wsguard.internal.HandshakeGuard;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;

/**
 * Closes a new connection at accept, before a byte of its request is read, when its address is banned by every guard
 * on the server and has already been answered {@code 429} with {@code Retry-After} a few times during the ban. A
 * banned client that reconnects at once, thousands of times a second, otherwise costs an HTTP parse, a handshake
 * and a response each time; now it costs an accept and a close. Registered only when every WebSocket endpoint of
 * the server is guarded (an unguarded one stays reachable); where proxies are trusted a guard never drops (the peer
 * is the proxy). Stateless; one instance serves all connections.
 */
final class BannedAddressFilter extends BaseFilter {

    private final List<HandshakeGuard> guards;

    BannedAddressFilter(List<HandshakeGuard> guards) {
        this.guards = List.copyOf(guards);
    }

    @Override
    public NextAction handleAccept(FilterChainContext ctx) throws IOException {
        Connection<?> connection = ctx.getConnection();
        if (!(connection.getPeerAddress() instanceof InetSocketAddress peer) || peer.getAddress() == null) {
            return ctx.getInvokeAction();
        }
        String address = peer.getAddress().getHostAddress();
        for (HandshakeGuard guard : guards) {
            if (!guard.dropsAtAccept(address)) {
                return ctx.getInvokeAction();
            }
        }
        for (HandshakeGuard guard : guards) {
            guard.droppedAtAccept();
        }
        connection.closeSilently();
        return ctx.getStopAction();
    }
}
