package dev.wsguard.tyrus;

import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

import org.glassfish.grizzly.CloseListener;
import org.glassfish.grizzly.Closeable;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.ICloseType;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpHeader;
import org.glassfish.grizzly.http.HttpPacket;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.utils.DelayedExecutor;

/**
 * Closes a connection that has not finished its WebSocket handshake, or its plain HTTP request, within a bound.
 *
 * <p>Tyrus's standalone server never times out a connection before the upgrade: a client that sends half a request
 * line and then one byte now and then (slowloris) keeps a socket, its buffers and a slot in the selector for as long
 * as it likes, and a Grizzly idle timeout would restart on each byte and would also end quiet WebSocket sessions.
 * Here every accepted connection gets a deadline, counted from the accept and not restarted by incoming bytes. Once
 * a 101 response leaves, the connection is a WebSocket and this filter forgets it for good. While the application
 * handles a complete plain HTTP request the deadline is suspended; once the answer is written the connection gets a
 * fresh bound for its next request, so an idle keep-alive connection is closed after the same bound.
 *
 * <p>It also escapes the {@code Origin} header of every upgrade request ({@link OriginHeaderFilter}).
 *
 * <p>The deadlines live in one Grizzly {@link DelayedExecutor} queue per server, checked by one thread: no thread
 * and no timer task per connection. Stateless apart from one connection attribute; one instance serves all
 * connections.
 *
 * <p>Not a Grizzly filter of its own: {@link FrameGuardFilter} calls {@link #accepted}, {@link #read} and
 * {@link #written}. It sits directly in front of Tyrus's filter, after the HTTP codec, so it sees the same requests
 * and responses; once a connection is a WebSocket its reads skip this class altogether. Grizzly keeps state for
 * every filter of the chain on every connection for the connection's whole life, and each filter is one more step
 * on every read and write.
 */
final class HandshakeTimeoutFilter {

    private static final System.Logger LOG = System.getLogger(HandshakeTimeoutFilter.class.getName());

    private static final int SWITCHING_PROTOCOLS = 101;

    /** Deadline while the application works on a complete request: never, but still queued. */
    private static final long SUSPENDED = Long.MAX_VALUE;

    private static final Attribute<Deadline> DEADLINE = Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(
            HandshakeTimeoutFilter.class.getName() + ".deadline");

    private final long timeoutMillis;
    private final DelayedExecutor.DelayQueue<Deadline> queue;

    HandshakeTimeoutFilter(long timeoutMillis, DelayedExecutor executor) {
        this.timeoutMillis = timeoutMillis;
        this.queue = executor.createDelayQueue(HandshakeTimeoutFilter::closeExpired, new DeadlineResolver());
    }

    /** A new connection: its deadline starts now. */
    void accepted(Connection<?> connection) {
        Deadline deadline = new Deadline(connection, queue);
        DEADLINE.set(connection, deadline);
        queue.add(deadline, timeoutMillis, TimeUnit.MILLISECONDS);
        connection.addCloseListener(deadline);
    }

    /** A read of a connection not (yet) upgraded. */
    void read(FilterChainContext ctx) {
        // Here rather than in a filter of its own: see OriginHeaderFilter.
        OriginHeaderFilter.escapeOrigin(ctx.getMessage());
        Deadline deadline = DEADLINE.get(ctx.getConnection());
        if (deadline != null && !deadline.upgraded
                && ctx.getMessage() instanceof HttpContent content && content.isLast()
                && content.getHttpHeader() instanceof HttpRequestPacket request && !request.isUpgrade()) {
            // The whole request is in: from here on the time is the application's, not the client's.
            deadline.at = SUSPENDED;
        }
    }

    /** An HTTP packet written towards {@code connection}'s client. */
    void written(Connection<?> connection, HttpPacket packet) {
        Deadline deadline = DEADLINE.get(connection);
        if (deadline == null || deadline.upgraded) {
            return;
        }
        HttpHeader header = packet.getHttpHeader();
        if (!(header instanceof HttpResponsePacket response)) {
            return;
        }
        if (response.getStatus() == SWITCHING_PROTOCOLS) {
            // A WebSocket from here on: nothing of this filter stays with the connection for its whole life.
            DEADLINE.set(connection, UPGRADED);
            deadline.upgraded = true;
            queue.remove(deadline);
            connection.removeCloseListener(deadline);
        } else if (packet instanceof HttpContent content && content.isLast()) {
            deadline.at = System.currentTimeMillis() + timeoutMillis;
        }
    }

    private static boolean closeExpired(Deadline deadline) {
        if (!deadline.upgraded) {
            LOG.log(Level.DEBUG, "Closing connection from {0}: no handshake within the timeout",
                    deadline.connection.getPeerAddress());
            deadline.connection.closeSilently();
        }
        return true;
    }

    /** Every upgraded connection's deadline: none. */
    private static final Deadline UPGRADED = new Deadline(null, null);

    static {
        UPGRADED.upgraded = true;
    }

    /**
     * When a connection expires; written by the connection's I/O thread, read by the timer thread. It leaves the
     * queue when its connection closes. The queue holds these, not the connections: Grizzly's timer reads every
     * queued element's deadline on each check (a removed one leaves only at the next check), and a field read is
     * cheaper than a connection attribute lookup.
     */
    private static final class Deadline implements CloseListener<Closeable, ICloseType> {
        private final Connection<?> connection;
        private final DelayedExecutor.DelayQueue<Deadline> queue;
        volatile long at = DelayedExecutor.UNSET_TIMEOUT;
        volatile boolean upgraded;

        Deadline(Connection<?> connection, DelayedExecutor.DelayQueue<Deadline> queue) {
            this.connection = connection;
            this.queue = queue;
        }

        @Override
        public void onClosed(Closeable closeable, ICloseType type) {
            queue.remove(this);
        }
    }

    private static final class DeadlineResolver implements DelayedExecutor.Resolver<Deadline> {

        @Override
        public boolean removeTimeout(Deadline deadline) {
            deadline.at = DelayedExecutor.UNSET_TIMEOUT;
            return true;
        }

        @Override
        public long getTimeoutMillis(Deadline deadline) {
            return deadline.at;
        }

        @Override
        public void setTimeoutMillis(Deadline deadline, long timeoutMillis) {
            deadline.at = timeoutMillis;
        }
    }
}
