package dev.wsguard.internal.cluster;

import dev.wsguard.GuardConfig;
import dev.wsguard.GuardConfigException;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The shared store on one Redis server, through Lettuce. Loaded by name ({@link ClusterStores}) only when
 * {@code wsguard.cluster.store=redis} is configured.
 *
 * <ul>
 *   <li>Connection counts: a sorted set per endpoint, scope and key whose members are this node's slots
 *   ({@code node:seq}) scored by their expiry in Redis's own clock; a Lua script drops expired members, checks the
 *   count and adds the slot atomically. Every third of the lease a heartbeat re-adds this node's live slots with a
 *   fresh expiry (also after Redis lost them in a restart), so a node that dies gives its slots back within one
 *   lease.</li>
 *   <li>Bans: a key with the ban's expiry, checked at every handshake that this node's own table lets through (one
 *   round trip).</li>
 *   <li>Revocations: published on one channel; the other nodes apply them and close their sessions. Each is also
 *   kept for 24 hours in a sorted set per kind, which a node reads when it starts and whenever the store is back
 *   after an outage, so that a node that joins later, or missed notices while cut off, refuses the same tokens.</li>
 *   <li>Rate limits: a Bucket4j bucket per limit and key, from which each node takes batches ({@link Limiter}).</li>
 * </ul>
 *
 * <p>Every call waits at most {@code wsguard.cluster.timeout}; a call that fails marks the store unavailable (one
 * event) and is answered by the failure policy: refused ({@link StoreUnavailableException}, shared limits deny) or
 * from this process alone. Lettuce reconnects by itself every half second; the first call that succeeds again, or
 * the heartbeat, marks it available (one event). Thread-safe.
 */
public final class RedisStore implements ClusterStore {

    private static final System.Logger LOG = System.getLogger("dev.wsguard");
    private static final String PREFIX = "wsguard:";
    private static final String CHANNEL = PREFIX + "notices";
    private static final int RENEWALS_PER_CALL = 500;
    /** How long revocations are kept for nodes that join later: the shared revocations' retention. */
    private static final long REVOCATION_RETENTION_MS = Duration.ofHours(24).toMillis();

    /** KEYS[1] the slot set; ARGV member, max, lease ms. 1 when the slot was taken. */
    private static final String ACQUIRE = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
              return 0
            end
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return 1
            """;

    /** KEYS the slot sets; ARGV[1] lease ms, ARGV[i + 1] the member of KEYS[i]. Re-adds each with a fresh expiry. */
    private static final String RENEW = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local lease = tonumber(ARGV[1])
            for i, key in ipairs(KEYS) do
              redis.call('ZADD', key, now + lease, ARGV[i + 1])
              redis.call('PEXPIRE', key, lease)
            end
            return #KEYS
            """;

    private final GuardConfig.ClusterSetting setting;
    private final String node = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + "-"
            + ProcessHandle.current().pid();
    private final AtomicLong slots = new AtomicLong();
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final AsyncProxyManager<String> buckets;
    private final ScheduledExecutorService worker;
    /** This node's live slots: member to slot set. */
    private final ConcurrentHashMap<String, String> held = new ConcurrentHashMap<>();
    private final AtomicBoolean available = new AtomicBoolean(true);
    private final CopyOnWriteArrayList<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();

    /**
     * Connects to {@code setting.redisUri()}.
     *
     * @throws GuardConfigException when the URI is invalid or the server cannot be reached at start-up
     */
    public RedisStore(GuardConfig.ClusterSetting setting) {
        this.setting = setting;
        RedisURI uri;
        try {
            uri = RedisURI.create(setting.redisUri());
        } catch (RuntimeException e) {
            throw new GuardConfigException("wsguard.cluster.redis.uri is not a Redis URI: " + e.getMessage());
        }
        uri.setTimeout(setting.timeout());
        ClientResources resources = ClientResources.builder()
                .reconnectDelay(Delay.constant(Duration.ofMillis(500))).build();
        this.client = RedisClient.create(resources, uri);
        // While disconnected, calls fail at once instead of queueing until the timeout.
        client.setOptions(ClientOptions.builder().autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
        try {
            this.connection = client.connect();
            this.redis = connection.sync();
            StatefulRedisConnection<String, byte[]> bucketConnection =
                    client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
            this.buckets = Bucket4jLettuce.casBasedBuilder(bucketConnection)
                    .expirationAfterWrite(ExpirationAfterWriteStrategy
                            .basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                    .build().asAsync();
            StatefulRedisPubSubConnection<String, String> pubsub = client.connectPubSub();
            this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "wsguard-cluster");
                t.setDaemon(true);
                return t;
            });
            pubsub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    worker.execute(() -> receive(message));
                }
            });
            pubsub.sync().subscribe(CHANNEL);
            replayRevocations();
        } catch (RedisException e) {
            client.shutdown();
            resources.shutdown();
            throw new GuardConfigException("wsguard.cluster.store=redis: cannot reach " + uri.getHost() + ":"
                    + uri.getPort() + " (" + e.getMessage() + ")");
        }
        long every = Math.max(1, setting.lease().toMillis() / 3);
        worker.scheduleWithFixedDelay(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public ConnectionCounts counts(Scope scope) {
        return new Counts(scope);
    }

    @Override
    public void ban(Scope scope, String key, Duration duration) {
        call(() -> redis.set(banKey(scope, key), "1", SetArgs.Builder.px(Math.max(1, duration.toMillis()))),
                () -> null);
    }

    @Override
    public long banSecondsLeft(Scope scope, String key) {
        long millis = call(() -> redis.pttl(banKey(scope, key)), () -> 0L);
        return millis <= 0 ? 0 : (millis + 999) / 1000;
    }

    @Override
    public void publish(Notice notice) {
        String message = node + "\t" + notice.kind().name() + "\t" + notice.atEpochMillis() + "\t" + notice.value();
        // Fire and forget: the caller's own node has acted; a lost notice is reported by the failure event.
        String kept = revocationsKey(notice.kind());
        connection.async().zadd(kept, ZAddArgs.Builder.gt(), (double) notice.atEpochMillis(), notice.value());
        connection.async().zremrangebyscore(kept, Double.NEGATIVE_INFINITY,
                (double) (System.currentTimeMillis() - REVOCATION_RETENTION_MS));
        connection.async().publish(CHANNEL, message).whenComplete((n, e) -> {
            if (e != null) {
                down(e);
            }
        });
    }

    /** Applies every revocation kept in Redis, as if its notice arrived now (applying one twice changes nothing). */
    private void replayRevocations() {
        for (Notice.Kind kind : Notice.Kind.values()) {
            for (ScoredValue<String> kept : redis.zrangeWithScores(revocationsKey(kind), 0, -1)) {
                ClusterNotices.received(new Notice(kind, kept.getValue(), (long) kept.getScore()));
            }
        }
    }

    private static String revocationsKey(Notice.Kind kind) {
        return PREFIX + "revoked:" + kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public SharedLimiter limiter(String name, GuardConfig.RateLimitSetting limit) {
        return new Limiter(name, limit);
    }

    @Override
    public Runnable onAvailability(Consumer<Boolean> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private void receive(String message) {
        String[] parts = message.split("\t", 4);
        if (parts.length != 4 || parts[0].equals(node)) {
            return;
        }
        try {
            ClusterNotices.received(new Notice(Notice.Kind.valueOf(parts[1]), parts[3], Long.parseLong(parts[2])));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "wsguard cluster: notice not applied: " + e);
        }
    }

    /** Renews this node's slots (re-adding those a restarted Redis lost); marks the store available again. */
    private void heartbeat() {
        try {
            List<Map.Entry<String, String>> live = new ArrayList<>(held.entrySet());
            if (live.isEmpty()) {
                redis.ping();
            }
            for (int from = 0; from < live.size(); from += RENEWALS_PER_CALL) {
                List<Map.Entry<String, String>> part = live.subList(from, Math.min(live.size(),
                        from + RENEWALS_PER_CALL));
                String[] keys = new String[part.size()];
                String[] args = new String[part.size() + 1];
                args[0] = Long.toString(setting.lease().toMillis());
                for (int i = 0; i < keys.length; i++) {
                    keys[i] = part.get(i).getValue();
                    args[i + 1] = part.get(i).getKey();
                }
                redis.eval(RENEW, ScriptOutputType.INTEGER, keys, args);
            }
            up();
        } catch (RedisException e) {
            down(e);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "wsguard cluster heartbeat failed", e);
        }
    }

    /** {@code op} against Redis; when it fails, the failure policy: {@code local} or a refusal. */
    private <T> T call(Supplier<T> op, Supplier<T> local) {
        try {
            T result = op.get();
            up();
            return result;
        } catch (RedisException e) {
            down(e);
            if (setting.onStoreFailure() == GuardConfig.ClusterSetting.OnStoreFailure.LOCAL) {
                return local.get();
            }
            throw new StoreUnavailableException("wsguard cluster store unreachable", e);
        }
    }

    private void up() {
        if (!available.get() && available.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.INFO, "wsguard cluster store " + setting.redisUri().replaceAll(":[^:@/]*@",
                    ":***@") + " is reachable again; limits are shared again");
            worker.execute(this::heartbeat);
            worker.execute(() -> {
                try {
                    replayRevocations();
                } catch (RedisException e) {
                    down(e);
                }
            });
            listeners.forEach(l -> l.accept(true));
        }
    }

    private void down(Throwable cause) {
        if (available.compareAndSet(true, false)) {
            LOG.log(System.Logger.Level.WARNING, "wsguard cluster store unreachable (" + cause.getMessage()
                    + "); policy " + setting.onStoreFailure());
            listeners.forEach(l -> l.accept(false));
        }
    }

    private static String banKey(Scope scope, String key) {
        return PREFIX + "ban:" + scope.name().toLowerCase(java.util.Locale.ROOT) + ":" + key;
    }

    /** Open connections per key of one guard and scope, as slots in Redis; this process's own table as fallback. */
    private final class Counts implements ConnectionCounts {
        private final Scope scope;
        private final LocalStore.Counts local = new LocalStore.Counts();
        private final ConcurrentHashMap<String, Boolean> mine = new ConcurrentHashMap<>();

        Counts(Scope scope) {
            this.scope = scope;
        }

        @Override
        public Object acquire(String endpoint, String key, int max) {
            String set = PREFIX + "conn:" + endpoint + ":" + scope.name().toLowerCase(java.util.Locale.ROOT) + ":"
                    + key;
            String member = node + ":" + Long.toHexString(slots.incrementAndGet());
            return call(() -> {
                Long taken = redis.eval(ACQUIRE, ScriptOutputType.INTEGER, new String[] {set}, member,
                        Integer.toString(max), Long.toString(setting.lease().toMillis()));
                if (taken == null || taken != 1L) {
                    return null;
                }
                held.put(member, set);
                mine.put(member, Boolean.TRUE);
                return member;
            }, () -> local.acquire(endpoint, key, max));
        }

        @Override
        public void release(String endpoint, String key, Object handle) {
            if (handle == local) {
                local.release(endpoint, key, handle);
                return;
            }
            String member = (String) handle;
            mine.remove(member);
            String set = held.remove(member);
            if (set != null) {
                // A slot whose removal is lost expires with its lease: it is no longer renewed.
                connection.async().zrem(set, member);
            }
        }

        @Override
        public int trackedKeys() {
            return mine.size() + local.trackedKeys();
        }
    }

    /**
     * A rate limit shared through one Bucket4j bucket per key in Redis. A key's lease holds the tokens this node took
     * in its last batch, spendable for one refresh period; an empty lease takes the next batch (one round trip for
     * up to a batch of permits). When the shared bucket is empty the key is refused locally for a tenth of the
     * period before Redis is asked again, so a flood costs at most ten round trips a period per key and node.
     */
    private final class Limiter implements SharedLimiter {
        private final String prefix;
        private final BucketConfiguration bucket;
        private final long batch;
        private final long periodNanos;

        Limiter(String name, GuardConfig.RateLimitSetting limit) {
            this.prefix = PREFIX + "rate:" + name + ":";
            int n = limit.limitForPeriod();
            this.bucket = BucketConfiguration.builder().addLimit(Bandwidth.builder().capacity(n)
                    .refillIntervally(n, limit.refreshPeriod()).build()).build();
            this.batch = Math.max(1, (long) n * setting.batchPercent() / 100);
            this.periodNanos = limit.refreshPeriod().toNanos();
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
                    CompletableFuture<Long> taken = buckets.builder().build(prefix + key,
                            () -> CompletableFuture.completedFuture(bucket)).tryConsumeAsMuchAsPossible(batch);
                    got = taken.get(setting.timeout().toMillis(), TimeUnit.MILLISECONDS);
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
