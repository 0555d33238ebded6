package dev.wsguard.tyrus;

import org.glassfish.grizzly.CompletionHandler;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpHeader;
import org.glassfish.grizzly.http.HttpPacket;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.util.Header;
import org.glassfish.grizzly.http.util.HttpStatus;
import org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter;

/**
 * Ends the connection after a refused WebSocket handshake.
 *
 * <p>Tyrus answers a refused handshake (a {@code HandshakeException} from {@code modifyHandshake}, a failed
 * {@code checkOrigin}, a bad version) and keeps the connection. Grizzly's HTTP codec treats everything after a
 * request carrying {@code Upgrade} as that request's body, so every further packet, even a single byte, reaches Tyrus
 * again as the same upgrade request and re-runs the whole handshake, token verification included, without a visible
 * answer. The answer itself has no {@code Content-Length} and keeps Tyrus's reason phrase
 * ({@code 401 Switching Protocols}), so a client cannot tell where it ends.
 *
 * <p>For any non-101 response to a {@code Upgrade: websocket} request this filter removes the handshake headers,
 * restores the standard reason phrase and adds {@code Connection: close}; when Tyrus wrote the response it also adds
 * {@code Content-Length: 0}, drops whatever the client sends afterwards and closes the connection once the response
 * has been written. That also cuts off the session Tyrus opens behind a non-101 status set without an exception.
 * Responses from Grizzly's HTTP handlers are only marked: Grizzly closes upgrade connections itself when such a
 * response completes. Stateless apart from one connection attribute.
 *
 * <p>Not a Grizzly filter of its own: {@link FrameGuardFilter}, which sits at the same place in the chain (directly
 * in front of Tyrus's filter), calls {@link #discardsRead} on every read of a connection that has not been upgraded
 * and {@link #rewrite} on every response it does not answer itself. Grizzly keeps state for every filter of the
 * chain on every connection for the connection's whole life, and each filter is one more step on every read and
 * write.
 */
final class RejectedUpgradeFilter {

    private static final int SWITCHING_PROTOCOLS = 101;
    private static final int TOO_MANY_REQUESTS = 429;
    private static final String WEBSOCKET = "websocket";
    private static final String[] HANDSHAKE_HEADERS = {
        "Upgrade", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions"
    };

    private static final Attribute<Boolean> REJECTED = Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(
            RejectedUpgradeFilter.class.getName() + ".rejected");

    private RejectedUpgradeFilter() {
    }

    /**
     * Whether the read is to be dropped: its connection's upgrade was refused. Anything arriving between the refusal
     * and the close would re-run the handshake; the read's content is recycled here.
     */
    static boolean discardsRead(FilterChainContext ctx) {
        if (Boolean.TRUE.equals(REJECTED.get(ctx.getConnection()))) {
            if (ctx.getMessage() instanceof HttpContent content) {
                content.recycle();
            }
            return true;
        }
        return false;
    }

    /** Rewrites the response being written when it refuses a WebSocket upgrade (see above); else leaves it. */
    static void rewrite(FilterChainContext ctx) {
        if (!(ctx.getMessage() instanceof HttpPacket packet)) {
            return;
        }
        HttpHeader header = packet.getHttpHeader();
        if (!(header instanceof HttpResponsePacket response) || response.isCommitted()
                || response.getStatus() == SWITCHING_PROTOCOLS) {
            return;
        }
        HttpRequestPacket request = response.getRequest();
        if (request == null || !WEBSOCKET.equalsIgnoreCase(request.getUpgrade())) {
            return;
        }

        int status = response.getStatus();
        response.setStatus(HttpStatus.getHttpStatus(status));
        if (status == TOO_MANY_REQUESTS) {
            // Grizzly knows no phrase for 429 and would write "CUSTOM".
            response.setReasonPhrase("Too Many Requests");
        }
        for (String name : HANDSHAKE_HEADERS) {
            response.getHeaders().removeHeader(name);
        }
        response.setUpgrade(null);
        response.setHeader(Header.Connection, "close");

        if (writtenByTyrus(ctx)) {
            // Tyrus writes the whole answer in this one packet and never completes the HTTP exchange.
            response.setContentLength(0);
            Connection<?> connection = ctx.getConnection();
            REJECTED.set(connection, Boolean.TRUE);
            closeAfterWrite(ctx.getTransportContext(), connection);
        }
    }

    @SuppressWarnings("unchecked") // Grizzly's TransportContext exposes its completion handler as a raw type.
    private static void closeAfterWrite(FilterChainContext.TransportContext transport, Connection<?> connection) {
        CompletionHandler<Object> original = transport.getCompletionHandler();
        transport.setCompletionHandler(new CloseAfterWrite(connection, original));
    }

    static boolean writtenByTyrus(FilterChainContext ctx) {
        // A write context starts just below the filter that wrote: see FilterChainContext.write.
        int writerIndex = ctx.getStartIdx() + 1;
        return writerIndex < ctx.getFilterChain().size()
                && ctx.getFilterChain().get(writerIndex) instanceof GrizzlyServerFilter;
    }

    /** Closes the connection once the refusal is on the wire, whatever became of the write. */
    private static final class CloseAfterWrite implements CompletionHandler<Object> {
        private final Connection<?> connection;
        private final CompletionHandler<Object> delegate;

        CloseAfterWrite(Connection<?> connection, CompletionHandler<Object> delegate) {
            this.connection = connection;
            this.delegate = delegate;
        }

        @Override
        public void completed(Object result) {
            try {
                if (delegate != null) {
                    delegate.completed(result);
                }
            } finally {
                connection.closeSilently();
            }
        }

        @Override
        public void failed(Throwable throwable) {
            try {
                if (delegate != null) {
                    delegate.failed(throwable);
                }
            } finally {
                connection.closeSilently();
            }
        }

        @Override
        public void cancelled() {
            try {
                if (delegate != null) {
                    delegate.cancelled();
                }
            } finally {
                connection.closeSilently();
            }
        }

        @Override
        public void updated(Object result) {
            if (delegate != null) {
                delegate.updated(result);
            }
        }
    }
}
