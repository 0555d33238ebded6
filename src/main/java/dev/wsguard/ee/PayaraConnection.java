package dev.wsguard.ee;

import jakarta.servlet.http.HttpServletRequest;

import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reaches the Grizzly connection under an upgraded request on Payara, to end it at once. Neither Servlet nor
 * WebSocket offers a way: closing the upgrade's {@code WebConnection} resumes the request, and Grizzly then keeps the
 * connection open while unsent data waits for it, so a client that stops reading kept its connection (and the
 * megabytes queued for it) until the container's own timeouts.
 *
 * <p>The path uses public methods of Payara's and Grizzly's public classes only, found by name:
 * {@code RequestFacade.getUnwrappedCoyoteRequest()}, {@code org.apache.catalina.connector.Request.getCoyoteRequest()},
 * Grizzly's {@code Request.getContext().getConnection()} and {@code Connection.terminateSilently()} (Payara 6 and 7).
 * Where any of it is missing, wsguard says so once, at WARNING, and the connection is left to the container as before.
 */
final class PayaraConnection {

    private static final System.Logger LOG = System.getLogger("dev.wsguard");
    private static final String PAYARA_FACADE = "org.apache.catalina.connector.RequestFacade";
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private PayaraConnection() {
    }

    /** What ends the request's TCP connection at once; null where the request is not Payara's or the path is gone. */
    static Runnable terminator(HttpServletRequest request) {
        if (!request.getClass().getName().equals(PAYARA_FACADE)) {
            return null;
        }
        try {
            Object catalina = call(request, "getUnwrappedCoyoteRequest");
            Object grizzly = call(catalina, "getCoyoteRequest");
            Object connection = call(call(grizzly, "getContext"), "getConnection");
            Method terminate = connection.getClass().getMethod("terminateSilently");
            return () -> {
                try {
                    terminate.invoke(connection);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, "wsguard: ending a WebSocket connection: " + e);
                }
            };
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (WARNED.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "wsguard cannot reach Payara's Grizzly connections (" + e
                        + "): the connection of a session wsguard closed stays open until the container ends it,"
                        + " also for a client that stops reading");
            }
            return null;
        }
    }

    private static Object call(Object target, String method) throws ReflectiveOperationException {
        Object result = target.getClass().getMethod(method).invoke(target);
        if (result == null) {
            throw new IllegalStateException(target.getClass().getName() + "." + method + "() returned null");
        }
        return result;
    }
}
