package dev.wsguard.tyrus;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;

import dev.wsguard.Rejection;
import dev.wsguard.internal.FrameRefusals;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.WriteResult;
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
 * Refuses an oversized WebSocket message while it is being read, before Tyrus buffers it.
 *
 * <p>Tyrus checks {@code @OnMessage(maxMessageSize)} only once a whole message is assembled, buffers a fragmented
 * message in full unless its message buffer sizes are set, and on an endpoint with {@code @OnError} every session it
 * closes itself with 1009 stays reachable for good (it calls {@code @OnError} after the close, which files a new
 * endpoint instance under the closed session). This filter sits directly in front of Tyrus's filter and, once Tyrus
 * has answered a handshake with 101, reads the header of every frame the client sends (a {@link FrameSizeTracker} per
 * connection). The bytes themselves pass through untouched. When a data frame's header announces a payload that would
 * take its message over the cap, or a frame is malformed, the filter drops that read and everything after it, writes
 * a close frame (1009 {@code "message too big"} or 1002 {@code "protocol error"}) and closes the connection once the
 * frame is written. Tyrus then sees the connection close under it, as if the client had vanished: it runs
 * {@code @OnClose} once, with 1006, and forgets the session; it never reaches its own 1009 path. The refusal is a
 * security event ({@code SESSION_CLOSED}, {@code MESSAGE_TOO_BIG} or {@code MESSAGE_MALFORMED}, with the code sent)
 * of the guarded session on that connection.
 *
 * <p>Frames a client sends in the same packet as its upgrade request are dropped by Tyrus, unseen by this filter
 * too: tracking starts with the first read after the 101.
 *
 * <p>Stateless apart from one small connection attribute; one instance serves all connections.
 */
final class MaxMessageSizeFilter extends BaseFilter {

    private static final System.Logger LOG = System.getLogger(MaxMessageSizeFilter.class.getName());

    private static final int SWITCHING_PROTOCOLS = 101;
    private static final String WEBSOCKET = "websocket";

    private static final Attribute<FrameRefusals> SESSION = Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(
            MaxMessageSizeFilter.class.getName() + ".session");
    private static final Attribute<FrameSizeTracker> FRAMES = Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(
            MaxMessageSizeFilter.class.getName() + ".frames");

    private final int maxMessageBytes;

    MaxMessageSizeFilter(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public NextAction handleRead(FilterChainContext ctx) throws IOException {
        Connection<?> connection = ctx.getConnection();
        FrameSizeTracker frames = FRAMES.get(connection);
        if (frames == null || !(ctx.getMessage() instanceof HttpContent content)) {
            return ctx.getInvokeAction();
        }
        boolean refusedBefore = frames.verdict() != FrameSizeTracker.PASS;
        int verdict = frames.scan(content.getContent());
        if (verdict == FrameSizeTracker.PASS) {
            return ctx.getInvokeAction();
        }
        // Nothing of a refused read reaches Tyrus, not even whole frames before the refused header: Tyrus would
        // start buffering the refused frame, and the connection is ending anyway.
        content.recycle();
        if (!refusedBefore) {
            LOG.log(Level.DEBUG, "Closing WebSocket connection from {0}: close code {1,number,#}",
                    connection.getPeerAddress(), verdict);
            FrameRefusals session = SESSION.get(connection);
            if (session != null) {
                session.refused(verdict == FrameSizeTracker.MESSAGE_TOO_BIG ? Rejection.MESSAGE_TOO_BIG
                        : Rejection.MESSAGE_MALFORMED, verdict);
            }
            ctx.write(closeFrame(connection, verdict), new CloseWhenWritten(connection));
        }
        return ctx.getStopAction();
    }

    @Override
    public NextAction handleWrite(FilterChainContext ctx) throws IOException {
        if (ctx.getMessage() instanceof HttpPacket packet
                && packet.getHttpHeader() instanceof HttpResponsePacket response
                && response.getStatus() == SWITCHING_PROTOCOLS
                && isWebSocketUpgrade(response.getRequest())
                && RejectedUpgradeFilter.writtenByTyrus(ctx)) {
            // Tyrus writes the 101 while it handles the upgrade request, so every later read is framed.
            FRAMES.set(ctx.getConnection(), new FrameSizeTracker(maxMessageBytes));
            SESSION.set(ctx.getConnection(), FrameRefusals.upgrading());
        }
        return ctx.getInvokeAction();
    }

    private static boolean isWebSocketUpgrade(HttpRequestPacket request) {
        return request != null && WEBSOCKET.equalsIgnoreCase(request.getUpgrade());
    }

    /** An unmasked close frame with a short fixed reason. */
    private static Buffer closeFrame(Connection<?> connection, int code) {
        byte[] reason = (code == FrameSizeTracker.MESSAGE_TOO_BIG ? "message too big" : "protocol error")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] frame = new byte[4 + reason.length];
        frame[0] = (byte) 0x88;
        frame[1] = (byte) (2 + reason.length);
        frame[2] = (byte) (code >> 8);
        frame[3] = (byte) code;
        System.arraycopy(reason, 0, frame, 4, reason.length);
        return Buffers.wrap(connection.getMemoryManager(), frame);
    }

    /** Closes the connection once the close frame is on its way, whatever became of the write. */
    @SuppressWarnings("rawtypes") // FilterChainContext.write takes a CompletionHandler of raw WriteResult.
    private static final class CloseWhenWritten extends EmptyCompletionHandler<WriteResult> {
        private final Connection<?> connection;

        CloseWhenWritten(Connection<?> connection) {
            this.connection = connection;
        }

        @Override
        public void completed(WriteResult result) {
            connection.closeSilently();
        }

        @Override
        public void failed(Throwable throwable) {
            connection.closeSilently();
        }

        @Override
        public void cancelled() {
            connection.closeSilently();
        }
    }
}
