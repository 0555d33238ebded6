package dev.wsguard.ee;

import dev.wsguard.internal.FrameSizeTracker;
import dev.wsguard.internal.Timers;
import dev.wsguard.internal.TransportLink;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Stands between the Servlet container and Tyrus's upgrade handler on Payara, so that wsguard sees the frames a client
 * sends before Tyrus buffers them, and holds the connection of each guarded session.
 *
 * <p>Tyrus in Payara upgrades through {@code HttpServletRequest.upgrade}, then reads every frame whole into its incoming
 * buffer (about 4 MB) before any handler sees a part of it, and closes a larger frame itself with 1011. The request
 * that {@link WsGuardFilter} passes on ({@link #guarding}) upgrades to this handler instead and hands Tyrus its own
 * handler, whose connection's input is a {@link FrameSizeTracker} over the real one: a data frame that would take its
 * message over the endpoint's cap, a message in too many frames, or a frame the tracker finds breaking RFC 6455
 * (unmasked, a control frame over 125 bytes, a misplaced fragment) is refused from its header, its bytes are never
 * handed to Tyrus, and the session is closed through Tyrus with 1009 ({@code "message too big"}), 1008 or 1002
 * ({@code "protocol error"}); everything the client sends after that is read and discarded. Tyrus's own parser takes
 * an unmasked client frame as if it were masked. Other RFC 6455 errors (RSV bits, undefined opcodes, close codes, bad
 * UTF-8) are left to Tyrus, which answers them 1002 or 1007.
 *
 * <p>The session's {@link TransportLink} drops the connection one close grace after the session closed, as on
 * {@code GuardedServer}: it closes the {@link WebConnection}, which ends the upgraded request, and then ends the TCP
 * connection through Grizzly ({@link PayaraConnection}), because Payara keeps a connection open while data queued for
 * it is unsent, which for a client that stops reading is for ever.
 *
 * <p>Upgrades to other handlers pass through unchanged (WildFly's Undertow does not upgrade WebSockets this way).
 * Created by the container, one per connection.
 */
public final class GuardedUpgradeHandler implements HttpUpgradeHandler {

    private static final System.Logger LOG = System.getLogger("dev.wsguard");

    /** The handler Tyrus upgrades to (tyrus-container-servlet, in Payara 6 and 7). */
    static final String TYRUS_HANDLER = "org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler";

    private HttpUpgradeHandler tyrus;
    private int maxMessageBytes;
    private Runnable terminate;

    /** The request passed on to the container's WebSocket filter, whose upgrade to Tyrus goes through this handler. */
    static HttpServletRequest guarding(HttpServletRequest request, int maxMessageBytes) {
        return new HttpServletRequestWrapper(request) {
            @Override
            public <T extends HttpUpgradeHandler> T upgrade(Class<T> handlerClass)
                    throws IOException, jakarta.servlet.ServletException {
                if (!handlerClass.getName().equals(TYRUS_HANDLER)) {
                    return super.upgrade(handlerClass);
                }
                T inner;
                try {
                    inner = handlerClass.getDeclaredConstructor().newInstance();
                } catch (ReflectiveOperationException e) {
                    LOG.log(System.Logger.Level.WARNING, "wsguard cannot create " + TYRUS_HANDLER + " (" + e
                            + "): frames are not guarded on this connection");
                    return super.upgrade(handlerClass);
                }
                GuardedUpgradeHandler outer = super.upgrade(GuardedUpgradeHandler.class);
                outer.tyrus = inner;
                outer.maxMessageBytes = maxMessageBytes;
                outer.terminate = PayaraConnection.terminator(request);
                return inner;
            }
        };
    }

    /** For the container only. */
    public GuardedUpgradeHandler() {
    }

    @Override
    public void init(WebConnection connection) {
        Link link = new Link(connection, terminate);
        FrameInput input;
        try {
            input = new FrameInput(connection.getInputStream(), new FrameSizeTracker(maxMessageBytes),
                    TransportLink.upgrading(link));
        } catch (IOException e) {
            TransportLink.clear();
            throw new IllegalStateException(e);
        }
        try {
            // Tyrus opens the session on this thread, inside init: the session's guard takes the link there.
            tyrus.init(new WebConnection() {
                @Override
                public ServletInputStream getInputStream() {
                    return input;
                }

                @Override
                public ServletOutputStream getOutputStream() throws IOException {
                    return connection.getOutputStream();
                }

                @Override
                public void close() throws Exception {
                    link.close();
                }
            });
        } finally {
            TransportLink.clear();
        }
    }

    @Override
    public void destroy() {
        tyrus.destroy();
    }

    /** The connection under one guarded session; thread-safe. */
    private static final class Link implements TransportLink.Wire {

        private final WebConnection connection;
        /** Ends the TCP connection at once, whatever is queued; null where Payara's classes are not found. */
        private final Runnable terminate;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final AtomicBoolean dropped = new AtomicBoolean();
        private final AtomicBoolean dropArmed = new AtomicBoolean();
        private final List<Runnable> whenGone = new CopyOnWriteArrayList<>();

        Link(WebConnection connection, Runnable terminate) {
            this.connection = connection;
            this.terminate = terminate;
        }

        /** Closes the connection, once: Tyrus's own close and wsguard's drop end the same way. */
        void close() throws Exception {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            try {
                connection.close();
            } finally {
                whenGone.forEach(Runnable::run);
                whenGone.clear();
            }
        }

        /**
         * Closes the WebConnection (Tyrus and Payara clean up), then ends the TCP connection: closing the WebConnection
         * alone resumes the upgraded request, and Grizzly keeps a connection open while unsent data waits for it.
         */
        @Override
        public void drop() {
            if (!dropped.compareAndSet(false, true)) {
                return;
            }
            try {
                close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "wsguard: closing a WebSocket connection: " + e);
            } finally {
                if (terminate != null) {
                    terminate.run();
                }
            }
        }

        /** Also once Tyrus has closed the WebConnection itself: the TCP connection may still be open under it. */
        @Override
        public void dropAfterGrace() {
            if (!dropped.get() && dropArmed.compareAndSet(false, true)) {
                Timers.schedule(this::drop, TransportLink.CLOSE_GRACE_MILLIS);
            }
        }

        @Override
        public void whenGone(Runnable action) {
            Runnable once = TransportLink.once(action);
            whenGone.add(once);
            // Closed before the action was in place: it may never be told.
            if (closed.get()) {
                once.run();
            }
        }

        @Override
        public long queuedBytes() {
            return 0;
        }

        @Override
        public boolean noticesClientLeaving() {
            // Payara's Tyrus does not always notice a client that leaves without a close frame.
            return false;
        }
    }

    /** The connection's input as Tyrus reads it: frames past the cap never reach it. Read on one thread at a time. */
    private static final class FrameInput extends ServletInputStream {

        private final ServletInputStream in;
        private final FrameSizeTracker frames;
        private final TransportLink link;
        /** Set once a frame is refused: from then on everything read is discarded. */
        private boolean refused;

        FrameInput(ServletInputStream in, FrameSizeTracker frames, TransportLink link) {
            this.in = in;
            this.frames = frames;
            this.link = link;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            int read = in.read(bytes, offset, length);
            if (read <= 0) {
                return read;
            }
            if (refused) {
                return 0;
            }
            int verdict = frames.scan(i -> bytes[i], offset, offset + read);
            if (verdict == FrameSizeTracker.PASS) {
                return read;
            }
            // Nothing of a refused read reaches Tyrus: it would start buffering the refused frame, or take an unmasked
            // one as if it were masked.
            refused = true;
            link.refuse(verdict);
            return 0;
        }

        /** Tyrus reads into arrays only; a single byte of a refused read is reported as none ({@code 0}) too. */
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int read = read(one, 0, 1);
            return read <= 0 ? read : one[0] & 0xFF;
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
