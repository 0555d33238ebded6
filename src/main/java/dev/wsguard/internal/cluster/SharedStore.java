package dev.wsguard.internal.cluster;

import dev.wsguard.GuardConfig;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.resilience4j.ratelimiter.RateLimiter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What every shared store does the same way, whatever holds the state: connection slots as leases renewed by a
 * heartbeat, rate limits spent in local batches taken from a Bucket4j bucket, and the failure policy with its two
 * events. A subclass says how one slot is taken, given back and renewed, how one batch is taken, and which exceptions
 * mean that its service cannot be reached. Thread-safe.
 *
 * <p>A slot is named {@code node:seq}, unique in the cluster; the set it belongs to is named by endpoint, scope and
 * key. This node keeps its live slots, so that the heartbeat can renew them (and put back those a restarted service
 * lost) every third of the lease; a closed connection gives its slot back at once, and a slot whose release is lost
 * expires with its lease because it is no longer renewed.
 */
abstract class SharedStore implements ClusterStore {

    static final System.Logger LOG = System.getLogger("dev.wsguard");
    /** How long revocations are kept for nodes that join later: the shared revocations' retention. */
    static final long REVOCATION_RETENTION_MS = Duration.ofHours(24).toMillis();

    final GuardConfig.ClusterSetting setting;
    /** This node in slot names and notices: random, so that a restarted process is a new node. */
    final String node = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + "-"
            + ProcessHandle.current().pid();
    /** Heartbeat, notices and recovery work: one thread, so that they never overlap. */
    final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "wsguard-cluster");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong slots = new AtomicLong();
    /** This node's live slots: slot to the set it is in. */
    private final ConcurrentHashMap<String, String> held = new ConcurrentHashMap<>();
    private final AtomicBoolean available = new AtomicBoolean(true);
    private final CopyOnWriteArrayList<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();

    SharedStore(GuardConfig.ClusterSetting setting) {
        this.setting = setting;
    }

    @Override
    public final void close() {
        worker.shutdownNow();
        closeClient();
    }

    /** Runs {@code task} on the worker, unless the store is closing (a client's last callbacks come then). */
    final void later(Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException closing) {
            // Closed: nothing is shared any more.
        }
    }

    /** Closes the connections and stops the threads of the store's client. */
    abstract void closeClient();

    /** Starts the heartbeat; called by the subclass once its connection is made. */
    final void startHeartbeat() {
        long every = Math.max(1, setting.lease().toMillis() / 3);
        worker.scheduleWithFixedDelay(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes {@code slots[i]} in {@code sets[i]} when every set holds fewer than {@code maxes[i]} live slots: all of
     * them or none. Holds nothing when it throws.
     */
    abstract boolean takeSlots(String[] sets, String[] slots, int[] maxes);

    /** Gives {@code slot} back without waiting; a loss is harmless (the slot expires unrenewed). */
    abstract void dropSlot(String set, String slot);

    /** Gives {@code live} (slot to set) a fresh lease, adding those the service lost; checks the service when empty. */
    abstract void renew(List<Map.Entry<String, String>> live);

    /** Readies the store for the shared limit {@code name} when an endpoint declares it, before any message. */
    void prepareLimit(String name, Duration period) {
    }

    /** Takes up to {@code batch} tokens from the shared bucket {@code key} of limit {@code name}. */
    abstract CompletableFuture<Long> takeTokens(String name, String key, BucketConfiguration bucket,
                                                Duration period, long batch);

    /** Whether {@code e} says the service cannot be reached (rather than a bug of ours). */
    abstract boolean unreachable(RuntimeException e);

    /** Applies every revocation kept in the service, as if its notice arrived now. */
    abstract void replayRevocations();

    /**
     * Whether what this node knows from notices is current, so that the store may count as reachable again; a store
     * whose notices can be missed while it is cut off says no until it has read them again (and then calls
     * {@link #up()}).
     */
    boolean noticesCurrent() {
        return true;
    }

    /** The service for log lines, without secrets. */
    abstract String describe();

    @Override
    public final ConnectionCounts counts(Scope scope) {
        return new Counts(scope);
    }

    @Override
    public final SharedLimiter limiter(String name, GuardConfig.RateLimitSetting limit) {
        return new Limiter(name, limit);
    }

    @Override
    public final Runnable onAvailability(Consumer<Boolean> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** A notice from another node, in the text form both stores publish; this node's own are skipped. */
    final void receive(String message) {
        receive(message, false);
    }

    /**
     * A notice in the text form both stores publish.
     *
     * @param own whether to apply it also when this node published it (a replay after an outage)
     */
    final void receive(String message, boolean own) {
        String[] parts = message.split("\t", 4);
        if (parts.length != 4 || !own && parts[0].equals(node)) {
            return;
        }
        try {
            ClusterNotices.received(new Notice(Notice.Kind.valueOf(parts[1]), parts[3], Long.parseLong(parts[2])));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "wsguard cluster: notice not applied: " + e);
        }
    }

    /** {@code notice} in the text form {@link #receive} reads. */
    final String encode(Notice notice) {
        return node + "\t" + notice.kind().name() + "\t" + notice.atEpochMillis() + "\t" + notice.value();
    }

    /** Renews this node's slots; marks the store available again. */
    private void heartbeat() {
        try {
            List<Map.Entry<String, String>> live = new ArrayList<>(held.entrySet());
            renew(live);
            // A slot released while its renewal was under way may have been put back by it (a renewal re-adds what
            // the service lost) and would then count until its lease ran out: give such slots back again.
            for (Map.Entry<String, String> slot : live) {
                if (!held.containsKey(slot.getKey())) {
                    dropSlot(slot.getValue(), slot.getKey());
                }
            }
            up();
        } catch (RuntimeException e) {
            if (unreachable(e)) {
                down(e);
            } else {
                LOG.log(System.Logger.Level.ERROR, "wsguard cluster heartbeat failed", e);
            }
        }
    }

    /** {@code op} against the service; when it cannot be reached, the failure policy: {@code local} or a refusal. */
    final <T> T call(Supplier<T> op, Supplier<T> local) {
        try {
            T result = op.get();
            up();
            return result;
        } catch (RuntimeException e) {
            if (!unreachable(e)) {
                throw e;
            }
            down(e);
            if (setting.onStoreFailure() == GuardConfig.ClusterSetting.OnStoreFailure.LOCAL) {
                return local.get();
            }
            throw new StoreUnavailableException("wsguard cluster store unreachable", e);
        }
    }

    final boolean isAvailable() {
        return available.get();
    }

    final void up() {
        if (!available.get() && noticesCurrent() && available.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.INFO, "wsguard cluster store " + describe()
                    + " is reachable again; limits are shared again");
            later(this::heartbeat);
            later(() -> {
                try {
                    replayRevocations();
                } catch (RuntimeException e) {
                    if (!unreachable(e)) {
                        throw e;
                    }
                    down(e);
                }
            });
            listeners.forEach(l -> l.accept(true));
        }
    }

    final void down(Throwable cause) {
        if (available.compareAndSet(true, false)) {
            LOG.log(System.Logger.Level.WARNING, "wsguard cluster store unreachable (" + cause.getMessage()
                    + "); policy " + setting.onStoreFailure());
            listeners.forEach(l -> l.accept(false));
        }
    }

    static String scopeName(Scope scope) {
        return scope.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Open connections per key of one guard and scope, as slots in the service; this process's table as fallback. */
    private final class Counts implements ConnectionCounts {
        private final String scope;
        private final LocalStore.Counts local = new LocalStore.Counts();
        private final ConcurrentHashMap<String, Boolean> mine = new ConcurrentHashMap<>();

        Counts(Scope scope) {
            this.scope = scopeName(scope);
        }

        @Override
        public Object acquire(String endpoint, String key, int max) {
            String set = endpoint + ":" + scope + ":" + key;
            String slot = node + ":" + Long.toHexString(slots.incrementAndGet());
            return call(() -> {
                if (!takeSlots(new String[] {set}, new String[] {slot}, new int[] {max})) {
                    return null;
                }
                held.put(slot, set);
                mine.put(slot, Boolean.TRUE);
                return slot;
            }, () -> local.acquire(endpoint, key, max));
        }

        /** Both slots in one call to the service when {@code other} is a table of this store. */
        @Override
        public Object[] acquireBoth(String endpoint, String key, int max, ConnectionCounts other, String otherKey,
                                    int otherMax) {
            if (!(other instanceof Counts both) || both.store() != SharedStore.this) {
                return ConnectionCounts.super.acquireBoth(endpoint, key, max, other, otherKey, otherMax);
            }
            String set = endpoint + ":" + scope + ":" + key;
            String otherSet = endpoint + ":" + both.scope + ":" + otherKey;
            String slot = node + ":" + Long.toHexString(slots.incrementAndGet());
            String otherSlot = node + ":" + Long.toHexString(slots.incrementAndGet());
            return call(() -> {
                if (!takeSlots(new String[] {set, otherSet}, new String[] {slot, otherSlot},
                        new int[] {max, otherMax})) {
                    return null;
                }
                held.put(slot, set);
                mine.put(slot, Boolean.TRUE);
                held.put(otherSlot, otherSet);
                both.mine.put(otherSlot, Boolean.TRUE);
                return new Object[] {slot, otherSlot};
            }, () -> local.acquireBoth(endpoint, key, max, both.local, otherKey, otherMax));
        }

        private SharedStore store() {
            return SharedStore.this;
        }

        @Override
        public void release(String endpoint, String key, Object handle) {
            if (handle == local) {
                local.release(endpoint, key, handle);
                return;
            }
            String slot = (String) handle;
            mine.remove(slot);
            String set = held.remove(slot);
            if (set != null) {
                dropSlot(set, slot);
            }
        }

        @Override
        public int trackedKeys() {
            return mine.size() + local.trackedKeys();
        }
    }

    /**
     * A rate limit shared through one Bucket4j bucket per key. A key's lease holds the tokens this node took in its
     * last batch, spendable for one refresh period; an empty lease takes the next batch (one call for up to a batch
     * of permits). When the shared bucket is empty the key is refused locally for a tenth of the period before the
     * service is asked again, so a flood costs at most ten calls a period per key and node.
     */
    private final class Limiter implements SharedLimiter {
        private final String name;
        private final BucketConfiguration bucket;
        private final Duration period;
        private final long batch;
        private final long periodNanos;

        Limiter(String name, GuardConfig.RateLimitSetting limit) {
            this.name = name;
            int n = limit.limitForPeriod();
            this.bucket = BucketConfiguration.builder().addLimit(Bandwidth.builder().capacity(n)
                    .refillIntervally(n, limit.refreshPeriod()).build()).build();
            this.period = limit.refreshPeriod();
            this.batch = Math.max(1, (long) n * setting.batchPercent() / 100);
            this.periodNanos = period.toNanos();
            prepareLimit(name, period);
        }

        @Override
        public Lease newLease() {
            return new Lease();
        }

        @Override
        public boolean acquire(String key, Lease lease, RateLimiter local) {
            if (!available.get() && setting.onStoreFailure() == GuardConfig.ClusterSetting.OnStoreFailure.LOCAL) {
                return local.acquirePermission(); // until the heartbeat finds the store again
            }
            synchronized (lease) {
                long now = System.nanoTime();
                if (now - lease.until < 0) {
                    if (lease.tokens > 0) {
                        lease.tokens--;
                        return true;
                    }
                    if (lease.dry) {
                        return false;
                    }
                }
                long got;
                try {
                    got = takeTokens(name, key, bucket, period, batch)
                            .get(setting.timeout().toMillis(), TimeUnit.MILLISECONDS);
                    up();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                } catch (Exception e) {
                    down(e);
                    lease.tokens = 0;
                    lease.dry = true;
                    lease.until = now + periodNanos / 10;
                    return setting.onStoreFailure() == GuardConfig.ClusterSetting.OnStoreFailure.LOCAL
                            && local.acquirePermission();
                }
                lease.dry = got == 0;
                lease.tokens = got == 0 ? 0 : (int) got - 1;
                lease.until = now + (got == 0 ? periodNanos / 10 : periodNanos);
                return got > 0;
            }
        }
    }
}
