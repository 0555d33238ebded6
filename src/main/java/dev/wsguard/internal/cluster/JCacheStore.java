package dev.wsguard.internal.cluster;

import dev.wsguard.GuardConfig;
import dev.wsguard.GuardConfigException;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.grid.jcache.Bucket4jJCache;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.Factory;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.MutableEntry;
import javax.cache.spi.CachingProvider;
import java.io.Serial;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The shared store in the caches of a JCache (JSR-107) provider whose members form one cluster, such as the Hazelcast
 * that Payara clusters with. Loaded by name ({@link ClusterStores}) only when {@code wsguard.cluster.store=jcache}
 * is configured. Only the standard JCache API is used; every entry processor is a class of this library, so each
 * node must run the same wsguard version.
 *
 * <ul>
 *   <li>Connection counts: one entry per endpoint, scope and key holding its slots and their expiry in the clock of
 *   the member that owns the entry; {@link TakeSlot} drops expired slots, checks the count and adds the slot in one
 *   {@code Cache.invoke}, which the provider runs atomically on the entry. The heartbeat renews this node's slots
 *   (one invoke per key), so a node that dies gives its slots back within one lease.</li>
 *   <li>Bans: an entry with the ban's end, read at every handshake that this node's own table lets through.</li>
 *   <li>Revocations: each notice is an entry kept 24 hours under a sequence number taken atomically; every node reads
 *   the sequence every {@value #NOTICE_POLL_MS} ms and applies the notices it has not seen. Polling, not entry
 *   listeners: a provider may drop listener events when members come and go (Hazelcast says so), while a polled
 *   sequence misses nothing. A node that starts reads every kept notice.</li>
 *   <li>Rate limits: Bucket4j's JCache integration (an entry processor per batch) in a cache per limit.</li>
 * </ul>
 *
 * <p>JCache has no time-outs of its own, so every call runs on a small pool of this store and is waited for at most
 * {@code wsguard.cluster.timeout}; a call that fails or does not answer in time marks the store unavailable (one
 * event) and is answered by the failure policy, as for Redis. Thread-safe.
 */
public final class JCacheStore extends SharedStore {

    static final long NOTICE_POLL_MS = 200;
    /** How long a sequence number without its notice is waited for before it is passed over (a publisher died). */
    private static final long GAP_WAIT_MS = 2000;
    private static final String PREFIX = "wsguard-";
    private static final String NOTICE_SEQUENCE = "notices";
    /** Reading every kept notice may take longer than one call. */
    private static final Duration REPLAY_WAIT = Duration.ofSeconds(10);

    private final CacheManager manager;
    private final Cache<Object, Object> slotsCache;
    private final Cache<Object, Object> bans;
    private final Cache<Object, Object> sequence;
    private final Cache<Object, Object> notices;
    private final ConcurrentHashMap<String, ProxyManager<String>> buckets = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor calls;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "wsguard-cluster-notices");
        t.setDaemon(true);
        return t;
    });
    /** The next notice number to apply, and since when it is missing (0: it is not); both guarded by this store. */
    private long nextNotice;
    private long gapSince;

    /**
     * Opens the provider's cache manager and the store's caches.
     *
     * @throws GuardConfigException when no provider is found, the named one cannot be had, or the caches cannot be
     *                              opened at start-up
     */
    public JCacheStore(GuardConfig.ClusterSetting setting) {
        super(setting);
        this.calls = new ThreadPoolExecutor(8, 8, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(1024), r -> {
            Thread t = new Thread(r, "wsguard-cluster-call");
            t.setDaemon(true);
            return t;
        });
        calls.allowCoreThreadTimeOut(true);
        CachingProvider provider = provider(setting.jcacheProvider());
        try {
            URI uri = setting.jcacheUri() == null ? provider.getDefaultURI() : URI.create(setting.jcacheUri());
            // The default class loader: Hazelcast puts a non-default one into the cache names, which would then
            // differ between nodes.
            this.manager = provider.getCacheManager(uri, provider.getDefaultClassLoader());
            Duration lease = setting.lease();
            this.slotsCache = cache("slots", ModifiedExpiryPolicy.factoryOf(millis(lease.toMillis())));
            Duration retention = Duration.ofMillis(REVOCATION_RETENTION_MS);
            this.bans = cache("bans", ModifiedExpiryPolicy.factoryOf(millis(retention.toMillis())));
            this.sequence = cache("sequence", EternalExpiryPolicy.factoryOf());
            this.notices = cache("notices", CreatedExpiryPolicy.factoryOf(millis(retention.toMillis())));
            replayRevocations();
        } catch (RuntimeException e) {
            calls.shutdownNow();
            throw new GuardConfigException("wsguard.cluster.store=jcache: cannot open the caches of " + provider
                    + (setting.jcacheUri() == null ? "" : " at " + setting.jcacheUri()) + ": " + e);
        }
        startHeartbeat();
        poller.scheduleWithFixedDelay(this::poll, NOTICE_POLL_MS, NOTICE_POLL_MS, TimeUnit.MILLISECONDS);
    }

    /** The provider's cache manager stays open: on Payara it is the server's, shared by every application. */
    @Override
    void closeClient() {
        poller.shutdownNow();
        calls.shutdownNow();
    }

    /** The provider named by {@code wsguard.cluster.jcache.provider}, or the only one on the class path. */
    private static CachingProvider provider(String named) {
        try {
            if (named == null) {
                return Caching.getCachingProvider();
            }
            if (named.startsWith("jndi:")) {
                return (CachingProvider) new javax.naming.InitialContext().lookup(named.substring("jndi:".length()));
            }
            return Caching.getCachingProvider(named);
        } catch (CacheException | javax.naming.NamingException | ClassCastException e) {
            throw new GuardConfigException("wsguard.cluster.store=jcache needs a JCache provider"
                    + (named == null ? " on the class path (such as com.hazelcast:hazelcast; Payara has one: set"
                    + " wsguard.cluster.jcache.provider=jndi:payara/CachingProvider)" : " named " + named)
                    + "; if there are several, name one with wsguard.cluster.jcache.provider (" + e.getMessage()
                    + ")");
        }
    }

    private static javax.cache.expiry.Duration millis(long millis) {
        return new javax.cache.expiry.Duration(TimeUnit.MILLISECONDS, millis);
    }

    /** The cluster's cache {@code wsguard-<name>}, created by the first node that asks for it. */
    private Cache<Object, Object> cache(String name, Factory<? extends ExpiryPolicy> expiry) {
        String full = PREFIX + name;
        Cache<Object, Object> found = manager.getCache(full);
        if (found != null) {
            return found;
        }
        try {
            return manager.createCache(full, new MutableConfiguration<>().setExpiryPolicyFactory(expiry));
        } catch (CacheException raced) {
            found = manager.getCache(full);
            if (found == null) {
                throw raced;
            }
            return found;
        }
    }

    /** {@code op} on the store's pool, waited for at most {@code wait}; {@link Unreachable} when it fails. */
    private <T> T timed(Callable<T> op, Duration wait) {
        Future<T> future;
        try {
            future = calls.submit(op);
        } catch (RejectedExecutionException e) {
            throw new Unreachable("too many calls waiting for the store", e);
        }
        try {
            return future.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted", e);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new Unreachable("no answer within " + wait.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw new Unreachable(String.valueOf(e.getCause()), e.getCause());
        }
    }

    private <T> T timed(Callable<T> op) {
        return timed(op, setting.timeout());
    }

    @Override
    public void ban(Scope scope, String key, Duration duration) {
        long until = System.currentTimeMillis() + Math.max(1, duration.toMillis());
        call(() -> timed(() -> {
            bans.put(scopeName(scope) + ":" + key, until);
            return null;
        }), () -> null);
    }

    @Override
    public long banSecondsLeft(Scope scope, String key) {
        Object until = call(() -> timed(() -> bans.get(scopeName(scope) + ":" + key)), () -> null);
        long millis = until == null ? 0 : (Long) until - System.currentTimeMillis();
        return millis <= 0 ? 0 : (millis + 999) / 1000;
    }

    @Override
    public void publish(Notice notice) {
        // Without waiting: the caller's own node has acted; a lost notice is reported by the failure event.
        String message = encode(notice);
        try {
            calls.execute(() -> {
                try {
                    long number = (Long) sequence.invoke(NOTICE_SEQUENCE, new Next());
                    notices.put(number, message);
                } catch (RuntimeException e) {
                    down(e);
                }
            });
        } catch (RejectedExecutionException e) {
            down(e);
        }
    }

    /**
     * Reads every kept notice and starts the poller after the newest; a notice published meanwhile is read twice at
     * most, which changes nothing.
     */
    @Override
    void replayRevocations() {
        List<String> kept = new java.util.ArrayList<>();
        Object head = timed(() -> {
            Object newest = sequence.get(NOTICE_SEQUENCE);
            for (Cache.Entry<Object, Object> notice : notices) {
                kept.add((String) notice.getValue());
            }
            return newest;
        }, REPLAY_WAIT);
        kept.forEach(message -> receive(message, true));
        synchronized (this) {
            nextNotice = Math.max(nextNotice, head == null ? 1 : (Long) head + 1);
        }
    }

    /** Applies the notices numbered after the last one applied; waits a while for a number whose notice is late. */
    private synchronized void poll() {
        try {
            Object head = timed(() -> sequence.get(NOTICE_SEQUENCE));
            long last = head == null ? 0 : (Long) head;
            while (nextNotice <= last) {
                Set<Object> numbers = new LinkedHashSet<>();
                for (long n = nextNotice; n <= last && numbers.size() < 100; n++) {
                    numbers.add(n);
                }
                Map<Object, Object> found = timed(() -> notices.getAll(numbers));
                for (Object number : numbers) {
                    Object message = found.get(number);
                    if (message == null) {
                        long now = System.nanoTime();
                        if (gapSince == 0) {
                            gapSince = now;
                        }
                        if (now - gapSince < TimeUnit.MILLISECONDS.toNanos(GAP_WAIT_MS)) {
                            return;
                        }
                    } else {
                        receive((String) message);
                    }
                    gapSince = 0;
                    nextNotice = (Long) number + 1;
                }
            }
        } catch (Unreachable e) {
            down(e);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "wsguard cluster: notices not read: " + e);
        }
    }

    /**
     * One invoke per set, one after the other: an entry processor changes one entry, so slots in two sets are taken
     * in turn and those taken are given back when a later one cannot be had.
     */
    @Override
    boolean takeSlots(String[] sets, String[] slots, int[] maxes) {
        int taken = 0;
        try {
            for (; taken < sets.length; taken++) {
                String set = sets[taken];
                TakeSlot take = new TakeSlot(slots[taken], maxes[taken], setting.lease().toMillis());
                if (!timed(() -> (Boolean) slotsCache.invoke(set, take))) {
                    break;
                }
            }
        } finally {
            if (taken < sets.length) {
                for (int i = 0; i < taken; i++) {
                    dropSlot(sets[i], slots[i]);
                }
            }
        }
        return taken == sets.length;
    }

    @Override
    void dropSlot(String set, String slot) {
        try {
            calls.execute(() -> slotsCache.invoke(set, new DropSlot(slot)));
        } catch (RejectedExecutionException e) {
            // The slot expires with its lease: it is no longer renewed.
        }
    }

    /** One invoke per key this node holds slots of, re-adding those the cluster lost. */
    @Override
    void renew(List<Map.Entry<String, String>> live) {
        Map<String, List<String>> bySet = new LinkedHashMap<>();
        for (Map.Entry<String, String> slot : live) {
            bySet.computeIfAbsent(slot.getValue(), s -> new java.util.ArrayList<>()).add(slot.getKey());
        }
        if (bySet.isEmpty()) {
            timed(() -> sequence.containsKey(NOTICE_SEQUENCE));
        }
        long lease = setting.lease().toMillis();
        for (Map.Entry<String, List<String>> set : bySet.entrySet()) {
            timed(() -> slotsCache.invoke(set.getKey(), new RenewSlots(set.getValue(), lease)));
        }
    }

    /**
     * Opens the limit's cache at deployment, not on the first message: creating a cache takes the cluster longer than
     * a call may wait. Its entries are dropped two refill periods after their last change, when a bucket is full
     * again anyway.
     */
    @Override
    void prepareLimit(String name, Duration period) {
        buckets.computeIfAbsent(name, n -> Bucket4jJCache.entryProcessorBasedBuilder(bytes(cache("rate-" + n,
                ModifiedExpiryPolicy.factoryOf(millis(Math.max(1000, 2 * period.toMillis())))))).build());
    }

    /** Bucket4j's entry processor: one invoke, run where the bucket lives. */
    @Override
    CompletableFuture<Long> takeTokens(String name, String key, BucketConfiguration bucket, Duration period,
                                       long batch) {
        ProxyManager<String> proxy = buckets.get(name);
        CompletableFuture<Long> taken = new CompletableFuture<>();
        try {
            calls.execute(() -> {
                try {
                    taken.complete(proxy.builder().build(key, () -> bucket).tryConsumeAsMuchAsPossible(batch));
                } catch (RuntimeException e) {
                    taken.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            taken.completeExceptionally(e);
        }
        return taken;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Cache<String, byte[]> bytes(Cache<Object, Object> cache) {
        return (Cache) cache;
    }

    @Override
    boolean unreachable(RuntimeException e) {
        return e instanceof Unreachable;
    }

    @Override
    String describe() {
        return "jcache " + manager.getURI();
    }

    /** A store call that failed or timed out. */
    private static final class Unreachable extends RuntimeException {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * A change to the slots of one key (slot name to the end of its lease, in the clock of the member that owns the
     * entry), run where the entry lives: expired slots are dropped first, and a key left without slots is removed.
     */
    private interface SlotChange extends EntryProcessor<Object, Object, Boolean>, Serializable {

        /** Changes {@code live}, the key's unexpired slots; returns the caller's answer. */
        boolean change(HashMap<String, Long> live, long now);

        @Override
        @SuppressWarnings("unchecked")
        default Boolean process(MutableEntry<Object, Object> entry, Object... arguments) {
            long now = System.currentTimeMillis();
            HashMap<String, Long> live = entry.exists() ? new HashMap<>((Map<String, Long>) entry.getValue())
                    : new HashMap<>();
            live.values().removeIf(until -> until <= now);
            boolean answer = change(live, now);
            if (!live.isEmpty()) {
                entry.setValue(live);
            } else if (entry.exists()) {
                entry.remove();
            }
            return answer;
        }
    }

    /** Adds a slot while the key holds fewer than {@code max} live ones. */
    private record TakeSlot(String slot, int max, long leaseMillis) implements SlotChange {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public boolean change(HashMap<String, Long> live, long now) {
            if (live.size() >= max) {
                return false;
            }
            live.put(slot, now + leaseMillis);
            return true;
        }
    }

    /** Gives a fresh lease to this node's slots of one key (adding them back if they were lost). */
    private record RenewSlots(List<String> slots, long leaseMillis) implements SlotChange {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public boolean change(HashMap<String, Long> live, long now) {
            slots.forEach(slot -> live.put(slot, now + leaseMillis));
            return true;
        }
    }

    /** Removes one slot. */
    private record DropSlot(String slot) implements SlotChange {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public boolean change(HashMap<String, Long> live, long now) {
            return live.remove(slot) != null;
        }
    }

    /** Increments a counter and returns its new value (1 for the first). */
    private static final class Next implements EntryProcessor<Object, Object, Long>, Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Long process(MutableEntry<Object, Object> entry, Object... arguments) {
            long next = entry.exists() ? (Long) entry.getValue() + 1 : 1;
            entry.setValue(next);
            return next;
        }
    }
}
