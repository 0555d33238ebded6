package dev.wsguard.internal.metrics;

import dev.wsguard.GuardConfig;
import dev.wsguard.Rejection;
import dev.wsguard.SecurityEvent;
import dev.wsguard.internal.OriginAllowlist;
import dev.wsguard.internal.Telemetry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * wsguard's meters in a Micrometer registry. Loaded only when Micrometer is on the class path; not for user code
 * (configure it with {@link GuardConfig.Builder#meterRegistry} or {@code wsguard.metrics.enabled}).
 *
 * <p>Every tag value comes from a fixed set, whatever clients send: {@code endpoint} is the deployed path template,
 * {@code reason} a {@link Rejection} name, {@code origin} the allowlist entry that matched ({@code other} for any
 * origin that did not, {@code none} when absent), {@code type} a message type alias of the family
 * ({@code unknown} for a message that named none), {@code channel} the {@code @Channel} pattern, never the name,
 * {@code code} a close code the guard or the WebSocket protocol defines ({@code other} for the rest). An attacker
 * inventing origins, channels or close codes cannot grow the registry. Thread-safe.
 */
public final class MicrometerTelemetry implements Telemetry {

    private static final Set<Integer> KNOWN_CODES = Set.of(1000, 1001, 1002, 1003, 1006, 1007, 1008, 1009, 1011,
            4401, 4403, 4429);

    private final MeterRegistry registry;
    private final OriginAllowlist origins;
    private final AtomicLong open = new AtomicLong();
    private volatile IntSupplier bans;
    private volatile LongSupplier bansSkipped;
    private volatile LongSupplier bansDropped;
    private volatile LongSupplier keysEvicted;
    private volatile Tags endpoint = Tags.of("endpoint", "unknown");
    /**
     * Counters by meter name and tag values: looking a counter up by its builder costs microseconds and a kilobyte
     * per event, this map a small key. Bounded like the tags (finite value sets).
     */
    private final ConcurrentHashMap<Key, Counter> counters = new ConcurrentHashMap<>();

    /** Origin to tag, for the origins seen first: parsing an origin again per handshake is the costly part. */
    private final ConcurrentHashMap<String, String> originTags = new ConcurrentHashMap<>();
    private static final int MAX_CACHED_ORIGINS = 1024;

    private final java.util.List<io.micrometer.core.instrument.Meter> polledMeters =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Timer durations;

    private record Key(String name, String a, String b, String c) {
    }

    private MicrometerTelemetry(MeterRegistry registry, OriginAllowlist origins) {
        this.registry = registry;
        this.origins = origins;
    }

    /**
     * Removes this binding's meters from the registry: a registry that outlives the guard (Micrometer's global one,
     * a server's) would otherwise keep its polledMeters, and through them the guard's classes.
     */
    @Override
    public void close() {
        for (io.micrometer.core.instrument.Meter meter : polledMeters) {
            registry.remove(meter);
        }
        polledMeters.clear();
        for (Counter counter : counters.values()) {
            registry.remove(counter);
        }
        counters.clear();
        Timer timer = durations;
        if (timer != null) {
            registry.remove(timer);
        }
    }

    /** The binding for {@code config}: its registry, else Micrometer's global registry. */
    public static Telemetry bind(GuardConfig config) {
        MeterRegistry registry = config.meterRegistry() == null ? Metrics.globalRegistry
                : (MeterRegistry) config.meterRegistry();
        return new MicrometerTelemetry(registry, OriginAllowlist.of(config.allowedOrigins()));
    }

    @Override
    public void endpoint(String path) {
        this.endpoint = Tags.of("endpoint", path);
        counters.clear();
        polledMeters.add(Gauge.builder("wsguard.connections.open", open, AtomicLong::get).tags(endpoint)
                .description("guarded sessions open now").register(registry));
        IntSupplier active = bans;
        if (active != null) {
            polledMeters.add(Gauge.builder("wsguard.bans.active", active, IntSupplier::getAsInt).tags(endpoint)
                    .description("client addresses and users banned now").register(registry));
            polledMeters.add(FunctionCounter.builder("wsguard.bans.skipped", bansSkipped, LongSupplier::getAsLong)
                    .tags(endpoint).description("bans due but not made because the ban table was full")
                    .register(registry));
            polledMeters.add(FunctionCounter.builder("wsguard.bans.dropped", bansDropped, LongSupplier::getAsLong)
                    .tags(endpoint).description("connections from banned addresses closed at accept, unread")
                    .register(registry));
        }
        LongSupplier evicted = keysEvicted;
        if (evicted != null) {
            polledMeters.add(FunctionCounter.builder("wsguard.ratelimit.keys.evicted", evicted, LongSupplier::getAsLong)
                    .tags(endpoint).description("users or addresses evicted from a full rate-limit table")
                    .register(registry));
        }
    }

    @Override
    public void bans(IntSupplier active, LongSupplier skipped, LongSupplier droppedAtAccept) {
        this.bans = active;
        this.bansSkipped = skipped;
        this.bansDropped = droppedAtAccept;
    }

    @Override
    public void keysEvicted(LongSupplier evicted) {
        this.keysEvicted = evicted;
    }

    @Override
    public void sessionOpened() {
        open.incrementAndGet();
    }

    @Override
    public void messageAccepted(String type, String channelPattern) {
        messages("accepted", "none", type);
        if (channelPattern != null) {
            counter("wsguard.channel.messages", "accepted messages by type and channel pattern", "type", type,
                    "channel", channelPattern, null, null).increment();
        }
    }

    @Override
    public void event(SecurityEvent e) {
        String reason = e.reason() == null ? "none" : e.reason().name();
        switch (e.kind()) {
            case HANDSHAKE_ACCEPTED, HANDSHAKE_REJECTED -> {
                counter("wsguard.handshakes", "opening handshakes by outcome, reason and allowlist entry",
                        "outcome", e.kind() == SecurityEvent.Kind.HANDSHAKE_ACCEPTED ? "accepted" : "rejected",
                        "reason", reason, "origin", origin(e)).increment();
                if (e.reason() == Rejection.HANDSHAKE_RATE_LIMITED) {
                    rateLimitHit("handshake");
                }
            }
            case MESSAGE_REJECTED -> messages("rejected", reason, e.messageType());
            case AUTHORIZATION_DENIED -> messages("denied", reason, e.messageType());
            case RATE_LIMITED -> {
                messages("rate_limited", reason, e.messageType());
                rateLimitHit("message");
            }
            case SESSION_CLOSED -> counter("wsguard.guard.closes", "sessions the guard closed, by reason",
                    "reason", reason, "code", code(e.closeCode()), null, null).increment();
            case CONNECTION_CLOSED -> {
                open.decrementAndGet();
                counter("wsguard.sessions.closed", "guarded sessions ended, by close code",
                        "code", code(e.closeCode()), null, null, null, null).increment();
                if (e.duration() != null) {
                    Timer timer = Timer.builder("wsguard.session.duration").tags(endpoint)
                            .description("how long guarded sessions stayed open").register(registry);
                    timer.record(e.duration());
                    durations = timer;
                }
            }
            case BANNED -> counter("wsguard.bans", "bans made, by key and the violation that caused them",
                    "key", e.clientAddress() != null ? "address" : "user", "reason", reason, null, null).increment();
            default -> {
            }
        }
    }

    private void messages(String outcome, String reason, String type) {
        counter("wsguard.messages", "messages by outcome, reason and type", "outcome", outcome, "reason", reason,
                "type", type == null ? "unknown" : type).increment();
    }

    private void rateLimitHit(String phase) {
        counter("wsguard.ratelimit.hits", "requests refused by a rate limit", "phase", phase, null, null, null, null)
                .increment();
    }

    /** The counter {@code name} with up to three tags besides the endpoint (a null tag name is no tag). */
    private Counter counter(String name, String description, String tag1, String value1, String tag2, String value2,
                            String tag3, String value3) {
        Key key = new Key(name, value1, value2, value3);
        Counter counter = counters.get(key);
        if (counter == null) {
            Counter.Builder builder = Counter.builder(name).description(description).tags(endpoint).tag(tag1, value1);
            if (tag2 != null) {
                builder.tag(tag2, value2);
            }
            if (tag3 != null) {
                builder.tag(tag3, value3);
            }
            counter = counters.computeIfAbsent(key, k -> builder.register(registry));
        }
        return counter;
    }

    /** Only an origin that passed the allowlist is named, and then by the entry it matched. */
    private String origin(SecurityEvent e) {
        if (e.origin() == null) {
            return "none";
        }
        Rejection r = e.reason();
        boolean checked = r != Rejection.HANDSHAKE_RATE_LIMITED && r != Rejection.ADDRESS_BANNED
                && r != Rejection.ORIGIN_NOT_ALLOWED && r != Rejection.ORIGIN_MISSING;
        if (!checked) {
            return "other";
        }
        String tag = originTags.get(e.origin());
        if (tag == null) {
            tag = origins.entryFor(e.origin()).orElse("other");
            if (originTags.size() < MAX_CACHED_ORIGINS) {
                originTags.put(e.origin(), tag);
            }
        }
        return tag;
    }

    private static String code(Integer code) {
        return code == null ? "none" : KNOWN_CODES.contains(code) ? code.toString() : "other";
    }
}
