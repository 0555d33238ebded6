package dev.wsguard.tyrus;

import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter;

/**
 * Puts a {@link FrameGuardFilter} directly in front of Tyrus's {@link GrizzlyServerFilter} (on the transport side),
 * so it sees every byte Tyrus would read and every response Tyrus writes. Must be registered after Tyrus's
 * {@code WebSocketAddOn}; without the Tyrus filter in the chain the listener refuses to start rather than run
 * unguarded.
 */
final class FrameGuardAddOn implements AddOn {

    private final int maxMessageBytes;
    private final ClosedConnections closed;
    private final HandshakeTimeoutFilter deadlines;

    FrameGuardAddOn(int maxMessageBytes, ClosedConnections closed, HandshakeTimeoutFilter deadlines) {
        this.maxMessageBytes = maxMessageBytes;
        this.closed = closed;
        this.deadlines = deadlines;
    }

    @Override
    public void setup(NetworkListener networkListener, FilterChainBuilder builder) {
        int tyrusIndex = builder.indexOfType(GrizzlyServerFilter.class);
        if (tyrusIndex < 0) {
            throw new IllegalStateException("Tyrus WebSocket filter not found in the Grizzly filter chain");
        }
        builder.add(tyrusIndex, new FrameGuardFilter(maxMessageBytes, closed, deadlines));
    }
}
