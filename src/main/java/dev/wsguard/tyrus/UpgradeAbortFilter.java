package dev.wsguard.tyrus;

import dev.wsguard.internal.Transports;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.nio.NIOConnection;

import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * Gives each guarded session a way to drop its connection at once. Tyrus runs the upgrade, and with it the
 * endpoint's {@code @OnOpen}, on the thread that reads the upgrade request, after this filter: so the abort action
 * published here is the one of the session being opened (see {@link Transports}). Closing a session only queues a
 * close frame behind the data already queued; for a client that reads nothing, dropping the connection is the only
 * way to free that data. Also applies {@link GuardedServer.Builder#socketSendBuffer(int)} to each accepted connection.
 * One instance serves all connections; it keeps no state.
 */
final class UpgradeAbortFilter extends BaseFilter {

    private static final System.Logger LOG = System.getLogger(UpgradeAbortFilter.class.getName());

    private final int socketSendBuffer;

    /** @param socketSendBuffer {@code SO_SNDBUF} for every accepted connection, or 0 to leave the OS default */
    UpgradeAbortFilter(int socketSendBuffer) {
        this.socketSendBuffer = socketSendBuffer;
    }

    @Override
    public NextAction handleAccept(FilterChainContext ctx) throws IOException {
        if (socketSendBuffer > 0 && ctx.getConnection() instanceof NIOConnection nio
                && nio.getChannel() instanceof SocketChannel channel) {
            try {
                channel.socket().setSendBufferSize(socketSendBuffer);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot set the socket send buffer: " + e);
            }
        }
        return ctx.getInvokeAction();
    }

    @Override
    public NextAction handleRead(FilterChainContext ctx) throws IOException {
        if (ctx.getMessage() instanceof HttpContent content
                && content.getHttpHeader() instanceof HttpRequestPacket request && request.isUpgrade()) {
            Connection<?> connection = ctx.getConnection();
            Transports.upgrading(connection::terminateSilently);
        } else {
            Transports.upgrading(null);
        }
        return ctx.getInvokeAction();
    }
}
