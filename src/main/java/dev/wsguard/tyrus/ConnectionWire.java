package dev.wsguard.tyrus;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.wsguard.internal.TransportLink;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.nio.NIOConnection;

/** A guarded session's way to its Grizzly connection, and its link (one object per connection). Thread-safe. */
final class ConnectionWire extends TransportLink implements TransportLink.Wire {

    private final Connection<?> connection;
    private final ClosedConnections closed;
    private static final VarHandle DROP_ARMED;

    static {
        try {
            DROP_ARMED = MethodHandles.lookup().findVarHandle(ConnectionWire.class, "dropArmed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Set by the first {@link #dropAfterGrace}: a guard close and the session's release each ask, one drop serves. A
     * field, not an {@code AtomicBoolean}: every open connection holds one.
     */
    @SuppressWarnings("unused")
    private volatile boolean dropArmed;

    ConnectionWire(Connection<?> connection, ClosedConnections closed) {
        this.connection = connection;
        this.closed = closed;
    }

    @Override
    public void drop() {
        // Not close(): that waits for the queued data to be written, which a client that reads nothing never lets
        // happen.
        connection.terminateSilently();
    }

    @Override
    public void dropAfterGrace() {
        if (connection.isOpen() && DROP_ARMED.compareAndSet(this, false, true)) {
            closed.dropAfterGrace(this);
        }
    }

    @Override
    public void whenGone(Runnable action) {
        Runnable once = TransportLink.once(action);
        connection.addCloseListener((Connection.CloseListener) (closeable, type) -> once.run());
        // Closed before the listener was in place: it may never be told.
        if (!connection.isOpen()) {
            once.run();
        }
    }

    @Override
    public long queuedBytes() {
        return connection instanceof NIOConnection nio ? nio.getAsyncWriteQueue().spaceInBytes() : 0;
    }
}
