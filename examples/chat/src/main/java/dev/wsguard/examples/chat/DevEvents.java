package dev.wsguard.examples.chat;

import dev.wsguard.SecurityEvent;
import dev.wsguard.SecurityEventListener;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * DEV MODE ONLY: keeps the most recent security events in a bounded ring so the demo page can show them live
 * ({@code GET /dev/events?after=N}). Registered as a {@link java.util.ServiceLoader} service, it records nothing until
 * {@link #enable()} is called, which only dev mode does; outside dev mode the endpoint is not served either.
 *
 * <p>What leaves the process is a subset of {@link SecurityEvent} that never holds a token or its fingerprint: time,
 * kind, reason, connection id, subject, origin and message type. Origin is attacker-controlled, so the page renders
 * every value as text. Thread-safe.
 */
public final class DevEvents implements SecurityEventListener {

    /** Events kept; older ones are dropped, so a flood of refusals cannot grow the heap. */
    static final int CAPACITY = 200;

    /** What the page receives for one event. */
    public record Shown(long seq, String time, String kind, String reason, String connection, String subject,
                        String origin, String type) {
    }

    private static final ArrayDeque<Shown> RING = new ArrayDeque<>(CAPACITY);
    private static long next = 1;
    private static volatile boolean enabled;

    /** Starts recording; called by dev mode only. */
    static void enable() {
        enabled = true;
    }

    @Override
    public void onEvent(SecurityEvent event) {
        if (!enabled) {
            return;
        }
        synchronized (RING) {
            if (RING.size() == CAPACITY) {
                RING.removeFirst();
            }
            RING.addLast(new Shown(next++, event.time().toString(), event.kind().name(),
                    event.reason() == null ? null : event.reason().name(), event.connectionId(), event.subject(),
                    event.origin(), event.messageType()));
        }
    }

    /** The events after sequence number {@code after}, oldest first. */
    static List<Shown> after(long after) {
        synchronized (RING) {
            List<Shown> out = new ArrayList<>();
            for (Shown shown : RING) {
                if (shown.seq() > after) {
                    out.add(shown);
                }
            }
            return out;
        }
    }

    /** {@code GET /dev/events?after=N}: a JSON array of the kept events newer than N. */
    static HttpHandler handler() {
        return new HttpHandler() {
            @Override
            public void service(Request request, Response response) throws IOException {
                String param = request.getParameter("after");
                long after;
                try {
                    after = param == null ? 0 : Long.parseLong(param);
                } catch (NumberFormatException e) {
                    response.sendError(400);
                    return;
                }
                DemoPage.noStore(response);
                response.setContentType("application/json");
                response.setCharacterEncoding("UTF-8");
                response.getWriter().write(Json.toJson(after(after)));
            }
        };
    }
}
