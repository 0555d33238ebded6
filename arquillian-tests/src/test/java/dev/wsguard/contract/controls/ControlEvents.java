package dev.wsguard.contract.controls;

import dev.wsguard.SecurityEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the security events CDI delivers, by endpoint (its last path segment) and kind, and by reason; keeps the
 * client address each refusal names, by reason.
 */
@ApplicationScoped
public class ControlEvents {

    private static final Map<String, AtomicInteger> COUNTS = new ConcurrentHashMap<>();
    private static final Map<String, List<String>> ADDRESSES = new ConcurrentHashMap<>();

    void on(@Observes SecurityEvent event) {
        COUNTS.computeIfAbsent(key(event.endpoint(), event.kind().name()), k -> new AtomicInteger()).incrementAndGet();
        if (event.reason() != null) {
            String reason = key(event.endpoint(), event.reason().name());
            // A rate-limit refusal's kind and reason share the name RATE_LIMITED: counted once.
            if (!event.reason().name().equals(event.kind().name())) {
                COUNTS.computeIfAbsent(reason, k -> new AtomicInteger()).incrementAndGet();
            }
            ADDRESSES.computeIfAbsent(reason, k -> new CopyOnWriteArrayList<>()).add(event.clientAddress());
        }
    }

    /** {@code endpoint} is the path's last segment ({@code bans}); {@code name} a reason or a kind. */
    static int count(String endpoint, String name) {
        AtomicInteger n = COUNTS.get(endpoint + ":" + name);
        return n == null ? 0 : n.get();
    }

    /** The client addresses of the refusals for {@code reason} on {@code endpoint}, in the order they came. */
    static List<String> addresses(String endpoint, String reason) {
        return ADDRESSES.getOrDefault(endpoint + ":" + reason, List.of());
    }

    static String key(String path, String name) {
        String segment = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
        return segment + ":" + name;
    }
}
