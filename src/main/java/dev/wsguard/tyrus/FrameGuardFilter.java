package dev.wsguard.tyrus;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;

import dev.wsguard.internal.FrameSizeTracker;
import dev.wsguard.internal.TransportLink;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpPacket;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.memory.Buffers;

/**
 * Guards the WebSocket frames a client sends, while they are read and before Tyrus buffers or answers them.
 *
 * <p>Tyrus checks {@code @OnMessage(maxMessageSize)} only once a whole message is assembled, buffers a fragmented
 * message in full unless its message buffer sizes are set, answers unmasked client frames, assembles a message from
 * any number of fragments, and answers every ping with a pong queued outside any bound. This filter sits directly in
 * front of Tyrus's filter and, once Tyrus has answered a handshake with 101, reads the header of every frame the
 * client sends (a {@link FrameSizeTracker} per connection); the bytes themselves pass through untouched.
 *
 * <ul>
 *   <li>A data frame that would take its message over the cap, a message in too many frames, or a frame no client may
 *       send (unmasked, bad length, oversized control frame, misplaced fragment): the filter drops that read and
 *       everything after it, writes a close frame (1009 {@code "message too big"}, 1008 {@code "too many frames"} or
 *       1002 {@code "protocol error"}), then reads and discards until the client's close frame, for
 *       {@link TransportLink#CLOSE_GRACE_MILLIS} and {@link #MAX_DRAINED_BYTES} at most, and closes the connection. Closing at once would let the
 *       reset caused by the client's unread upload overtake the close frame: the client would see 1006. Tyrus sees the
 *       connection close under it, as if the client had vanished: it runs {@code @OnClose} once, with 1006, and
 *       forgets the session. The refusal is a security event ({@code SESSION_CLOSED}, with the code sent) of the
 *       guarded session on that connection.</li>
 *   <li>Pings and pongs are counted and reported to the session's guard through its {@link TransportLink}, with the
 *       bytes queued on the connection: they count towards the session's flood limit, and the pongs Tyrus queues for
 *       a client that does not read count towards its outbound bound.</li>
 * </ul>
 *
 * <p>Frames a client sends in the same packet as its upgrade request are dropped by Tyrus, unseen by this filter
 * too: tracking starts with the first read after the 101.
 *
 * <p>It also ends the connection after a refused upgrade ({@link RejectedUpgradeFilter}) and bounds the time to the
 * upgrade ({@link HandshakeTimeoutFilter}, which escapes the {@code Origin} header too).
 *
 * <p>Stateless apart from small connection attributes; one instance serves all connections.
 */
final class FrameGuardFilter extends BaseFilter {

    private static final System.Logger LOG = System.getLogger(FrameGuardFilter.class.getName());

    private static final int SWITCHING_PROTOCOLS = 101;
    private static final String WEBSOCKET = "websocket";

    private static final Attribute<TransportLink> LINK = Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(
            FrameGuardFilter.class.getName() + ".link");
    private static final Attribute<FrameSizeTracker> FRAMES = Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(
            FrameGuardFilter.class.getName() + ".frames");

    /**
     * At most this much is read and discarded after a refusal, within the close grace: enough for a client that
     * writes a whole oversized message before it reads (one thread, or an event loop) to finish and read the close
     * frame; little CPU for an attacker who never stops.
     */
    static final long MAX_DRAINED_BYTES = 64L << 20;

    private final int maxMessageBytes;
    private final ClosedConnections closed;
    private final HandshakeTimeoutFilter deadlines;

    FrameGuardFilter(int maxMessageBytes, ClosedConnections closed, HandshakeTimeoutFilter deadlines) {
        this.maxMessageBytes = maxMessageBytes;
        this.closed = closed;
        this.deadlines = deadlines;
    }

    @Override
    public NextAction handleAccept(FilterChainContext ctx) throws IOException {
        deadlines.accepted(ctx.getConnection());
        return ctx.getInvokeAction();
    }

    @Override
    public NextAction handleRead(FilterChainContext ctx) throws IOException {
        // A link published for an earlier upgrade on this thread belongs to another connection.
        TransportLink.clear();
        Connection<?> connection = ctx.getConnection();
        FrameSizeTracker frames = FRAMES.get(connection);
        if (frames == null) {
            // No 101 went out: the handshake's bound still runs, and only a connection whose upgrade was refused has
            // reads to drop.
            deadlines.read(ctx);
            return RejectedUpgradeFilter.discardsRead(ctx) ? ctx.getStopAction() : ctx.getInvokeAction();
        }
        if (!(ctx.getMessage() instanceof HttpContent content)) {
            return ctx.getInvokeAction();
        }
        // Set together with the tracker, as the 101 goes out.
        TransportLink link = LINK.get(connection);
        boolean refusedBefore = frames.verdict() != FrameSizeTracker.PASS;
        int readBytes = content.getContent().remaining();
        int verdict = scan(frames, content.getContent());
        if (verdict == FrameSizeTracker.PASS) {
            int controlFrames = frames.takeControlFrames();
            if (controlFrames > 0) {
                link.controlFrames(controlFrames);
            }
            return ctx.getInvokeAction();
        }
        // Nothing of a refused read reaches Tyrus, not even whole frames before the refused header: Tyrus would
        // start buffering the refused frame, and the connection is ending anyway.
        content.recycle();
        if (!refusedBefore) {
            LOG.log(Level.DEBUG, "Closing WebSocket connection from {0}: close code {1,number,#}",
                    connection.getPeerAddress(), verdict);
            link.refused(FrameSizeTracker.rejection(verdict), verdict);
            ctx.write(closeFrame(connection, verdict));
            link.wire().dropAfterGrace();
        }
        if (frames.closeSeen()) {
            // The client has read the refusal and answered it: nothing it sends now matters.
            connection.closeSilently();
        } else if (refusedBefore && frames.drained(readBytes) > MAX_DRAINED_BYTES) {
            link.wire().drop();
        }
        return ctx.getStopAction();
    }

    @Override
    public NextAction handleWrite(FilterChainContext ctx) throws IOException {
        if (!(ctx.getMessage() instanceof HttpPacket packet)) {
            // WebSocket frames: nothing here concerns them (no response, no handshake deadline).
            return ctx.getInvokeAction();
        }
        if (packet.getHttpHeader() instanceof HttpResponsePacket response
                && response.getStatus() == SWITCHING_PROTOCOLS
                && isWebSocketUpgrade(response.getRequest())
                && RejectedUpgradeFilter.writtenByTyrus(ctx)) {
            // Tyrus writes the 101 while it handles the upgrade request, so every later read is framed.
            Connection<?> connection = ctx.getConnection();
            FRAMES.set(connection, new FrameSizeTracker(maxMessageBytes));
            LINK.set(connection, new ConnectionWire(connection, closed).upgrading());
        } else {
            RejectedUpgradeFilter.rewrite(ctx);
        }
        deadlines.written(ctx.getConnection(), packet);
        return ctx.getInvokeAction();
    }

    /** Scans the buffer's remaining bytes; its position and limit are left as they were. */
    static int scan(FrameSizeTracker frames, Buffer buffer) {
        return frames.scan(buffer::get, buffer.position(), buffer.limit());
    }


    private static boolean isWebSocketUpgrade(HttpRequestPacket request) {
        return request != null && WEBSOCKET.equalsIgnoreCase(request.getUpgrade());
    }

    /** An unmasked close frame with a short fixed reason. */
    private static Buffer closeFrame(Connection<?> connection, int code) {
        byte[] reason = FrameSizeTracker.phrase(code).getBytes(StandardCharsets.US_ASCII);
        byte[] frame = new byte[4 + reason.length];
        frame[0] = (byte) 0x88;
        frame[1] = (byte) (2 + reason.length);
        frame[2] = (byte) (code >> 8);
        frame[3] = (byte) code;
        System.arraycopy(reason, 0, frame, 4, reason.length);
        return Buffers.wrap(connection.getMemoryManager(), frame);
    }
}
