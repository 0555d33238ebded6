package dev.wsguard.contract.app;

import dev.wsguard.SecurityEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts the security events CDI delivers, by reason (or kind when there is none). */
@ApplicationScoped
public class EventProbe {

    private static final Map<String, AtomicInteger> COUNTS = new ConcurrentHashMap<>();

    void on(@Observes SecurityEvent event) {
        String key = event.reason() != null ? event.reason().name() : event.kind().name();
        COUNTS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    static int count(String key) {
        AtomicInteger n = COUNTS.get(key);
        return n == null ? 0 : n.get();
    }
}
