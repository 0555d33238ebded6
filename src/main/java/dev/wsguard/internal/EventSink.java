package dev.wsguard.internal;

import dev.wsguard.SecurityEvent;
import dev.wsguard.SecurityEventListener;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delivers security events to the audit log ({@code System.Logger} {@value #AUDIT_LOGGER}, one JSON line each:
 * refusals at WARNING, accepted connections at INFO) and to every listener. A failing listener never changes a
 * decision and is reported once. Thread-safe.
 */
public final class EventSink {

    /** The logger name users route (JUL, or SLF4J/Log4j through the platform logger bridge). */
    public static final String AUDIT_LOGGER = "dev.wsguard.audit";

    private static final System.Logger AUDIT = System.getLogger(AUDIT_LOGGER);
    private static final System.Logger LOG = System.getLogger("dev.wsguard");
    private static final Set<Class<?>> REPORTED = ConcurrentHashMap.newKeySet();

    private final List<SecurityEventListener> listeners;

    public EventSink(List<SecurityEventListener> configured) {
        List<SecurityEventListener> all = new ArrayList<>(configured);
        ServiceLoader.load(SecurityEventListener.class, EventSink.class.getClassLoader()).forEach(all::add);
        this.listeners = List.copyOf(all);
    }

    public void emit(SecurityEvent event) {
        System.Logger.Level level = event.reason() == null ? System.Logger.Level.INFO : System.Logger.Level.WARNING;
        if (AUDIT.isLoggable(level)) {
            AUDIT.log(level, event.toJson());
        }
        for (SecurityEventListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                if (REPORTED.add(listener.getClass())) {
                    LOG.log(System.Logger.Level.ERROR, "security event listener " + listener.getClass().getName()
                            + " threw " + e.getClass().getName() + "; later failures of it are not logged");
                }
            }
        }
    }
}
