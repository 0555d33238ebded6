package dev.wsguard.tyrus;

import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.nio.NIOConnection;

import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * Applies {@link GuardedServer.Builder#socketSendBuffer(int)} to each accepted connection. One instance serves all
 * connections; it keeps no state.
 */
final class SendBufferFilter extends BaseFilter {

    private static final System.Logger LOG = System.getLogger(SendBufferFilter.class.getName());

    private final int socketSendBuffer;

    /** @param socketSendBuffer {@code SO_SNDBUF} for every accepted connection, or 0 to leave the OS default */
    SendBufferFilter(int socketSendBuffer) {
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
}
