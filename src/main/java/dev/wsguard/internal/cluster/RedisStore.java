package dev.wsguard.internal.cluster;

import dev.wsguard.GuardConfig;
import dev.wsguard.GuardConfigException;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shared store on one Redis server, through Lettuce. Loaded by name ({@link ClusterStores}) only when
 * {@code wsguard.cluster.store=redis} is configured.
 *
 * <ul>
 *   <li>Connection counts: a sorted set per endpoint, scope and key whose members are this node's slots
 *   ({@code node:seq}) scored by their expiry in Redis's own clock; a Lua script drops expired members, checks the
 *   count and adds the slot atomically, for the address and the user of a handshake in one call (both or
 *   neither). Every third of the lease a heartbeat re-adds this node's live slots with a
 *   fresh expiry (also after Redis lost them in a restart), so a node that dies gives its slots back within one
 *   lease.</li>
 *   <li>Bans: kept in a sorted set scored by their end and published on a channel of their own, in one script;
 *   every node keeps a copy, read whole when it starts and again whenever its subscription was lost (Lettuce
 *   resubscribes by itself), and answers handshakes from it without a round trip. While the copy may miss a ban
 *   (the subscription is down, or not yet read again), ban checks follow the failure policy.</li>
 *   <li>Revocations: published on one channel; the other nodes apply them and close their sessions. Each is also
 *   kept for 24 hours in a sorted set per kind, which a node reads when it starts and whenever the store is back
 *   after an outage, so that a node that joins later, or missed notices while cut off, refuses the same tokens.</li>
 *   <li>Rate limits: a Bucket4j bucket per limit and key, from which each node takes batches
 *   ({@link SharedStore}).</li>
 * </ul>
 *
 * <p>Every call waits at most {@code wsguard.cluster.timeout}; a call that fails marks the store unavailable (one
 * event) and is answered by the failure policy: refused ({@link StoreUnavailableException}, shared limits deny) or
 * from this process alone. Lettuce reconnects by itself every half second; the first call that succeeds again, or
 * the heartbeat, marks it available (one event). Thread-safe.
 */
public final class RedisStore extends SharedStore {

    private static final String PREFIX = "wsguard:";
    private static final String CHANNEL = PREFIX + "notices";
    private static final int RENEWALS_PER_CALL = 500;

    private static final String BAN_CHANNEL = PREFIX + "ban-notices";
    /** Every ban in force: members {@code scope:key} scored by the ban's end in Redis's clock. */
    private static final String BANS = PREFIX + "bans";
    /** How often a node whose ban notices may have been missed tries to read the bans again. */
    private static final long RESYNC_MS = 250;

    /**
     * KEYS the slot sets; ARGV[1] lease ms, then the member and the max of each set in turn. 1 when every slot was
     * taken; 0, with nothing taken, when a set is full.
     */
    private static final String ACQUIRE = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local lease = tonumber(ARGV[1])
            for i, key in ipairs(KEYS) do
              redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
              if redis.call('ZCARD', key) >= tonumber(ARGV[2 * i + 1]) then
                return 0
              end
            end
            for i, key in ipairs(KEYS) do
              redis.call('ZADD', key, now + lease, ARGV[2 * i])
              redis.call('PEXPIRE', key, lease)
            end
            return 1
            """;

    /**
     * KEYS[1] the ban's own key, KEYS[2] the set of bans; ARGV member, ms, channel. Keeps the ban (a longer one
     * already there stays) and tells every node, in one step: a node that reads the set after this has the ban,
     * one subscribed before it gets the notice.
     */
    private static final String BAN = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local ms = tonumber(ARGV[2])
            redis.call('SET', KEYS[1], '1', 'PX', ms)
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
            redis.call('ZADD', KEYS[2], 'GT', now + ms, ARGV[1])
            redis.call('PUBLISH', ARGV[3], ms .. '\t' .. ARGV[1])
            return 1
            """;

    /** KEYS[1] the set of bans. Each ban in force and its milliseconds left, in turn. */
    private static final String BANS_LEFT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local kept = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf', 'WITHSCORES')
            local left = {}
            for i = 1, #kept, 2 do
              left[#left + 1] = kept[i]
              left[#left + 1] = tostring(math.floor(tonumber(kept[i + 1]) - now))
            end
            return left
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

    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final AsyncProxyManager<String> buckets;
    private final StatefulRedisPubSubConnection<String, String> pubsub;
    /** Bans in force on any node, {@code scope:key} to their end ({@link System#nanoTime()}). */
    private final ConcurrentHashMap<String, Long> banned = new ConcurrentHashMap<>();
    /** Changes whenever the notice connection drops or subscribes again: notices may have been missed. */
    private final AtomicLong subscriptions = new AtomicLong();
    /** The value of {@link #subscriptions} when the bans were last read whole; current while it still is. */
    private volatile long bansReadAt = -1;

    /**
     * Connects to {@code setting.redisUri()}.
     *
     * @throws GuardConfigException when the URI is invalid or the server cannot be reached at start-up
     */
    public RedisStore(GuardConfig.ClusterSetting setting) {
        super(setting);
        RedisURI uri;
        try {
            uri = RedisURI.create(setting.redisUri());
        } catch (RuntimeException e) {
            throw new GuardConfigException("wsguard.cluster.redis.uri is not a Redis URI: " + e.getMessage());
        }
        uri.setTimeout(setting.timeout());
        // Names this node's connections in CLIENT LIST.
        uri.setClientName("wsguard-" + node);
        this.resources = ClientResources.builder()
                .reconnectDelay(Delay.constant(Duration.ofMillis(500))).build();
        this.client = RedisClient.create(this.resources, uri);
        // While disconnected, calls fail at once instead of queueing until the timeout.
        client.setOptions(ClientOptions.builder().autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> opened, java.net.SocketAddress address) {
                if (opened instanceof StatefulRedisPubSubConnection<?, ?>) {
                    subscriptions.incrementAndGet();
                }
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> closed) {
                if (closed instanceof StatefulRedisPubSubConnection<?, ?>) {
                    subscriptions.incrementAndGet();
                }
            }
        });
        try {
            this.connection = client.connect();
            this.redis = connection.sync();
            StatefulRedisConnection<String, byte[]> bucketConnection =
                    client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
            this.buckets = Bucket4jLettuce.casBasedBuilder(bucketConnection)
                    .expirationAfterWrite(ExpirationAfterWriteStrategy
                            .basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                    .build().asAsync();
            this.pubsub = client.connectPubSub();
            pubsub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    if (BAN_CHANNEL.equals(channel)) {
                        banned(message);
                    } else {
                        later(() -> receive(message));
                    }
                }

                @Override
                public void subscribed(String channel, long count) {
                    // Also after Lettuce has reconnected: what was published meanwhile is read from Redis.
                    if (BAN_CHANNEL.equals(channel)) {
                        subscriptions.incrementAndGet();
                        later(RedisStore.this::resync);
                    }
                }
            });
            pubsub.sync().subscribe(CHANNEL, BAN_CHANNEL);
            // Again if the subscription's own notice came in while the bans were read.
            for (int i = 0; i < 3 && !noticesCurrent(); i++) {
                replayRevocations();
            }
        } catch (RedisException e) {
            client.shutdown();
            resources.shutdown();
            throw new GuardConfigException("wsguard.cluster.store=redis: cannot reach " + uri.getHost() + ":"
                    + uri.getPort() + " (" + e.getMessage() + (e.getCause() == null ? "" : ": " + e.getCause())
                    + ")");
        }
        startHeartbeat();
        worker.scheduleWithFixedDelay(() -> {
            if (!noticesCurrent() && pubsub.isOpen()) {
                resync();
            }
            long now = System.nanoTime();
            banned.values().removeIf(until -> until - now <= 0);
        }, RESYNC_MS, RESYNC_MS, TimeUnit.MILLISECONDS);
    }

    /** Keeps the ban in Redis and publishes it, in one script; every node (this one too) caches it. */
    @Override
    void closeClient() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        try {
            // Its event loops are threads of the application's class loader: wait until they are gone.
            resources.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "wsguard cluster: the Redis client did not stop within 5 s: " + e);
        }
    }

    @Override
    public void ban(Scope scope, String key, Duration duration) {
        call(() -> redis.eval(BAN, ScriptOutputType.INTEGER, new String[] {banKey(scope, key), BANS},
                        scopeName(scope) + ":" + key, Long.toString(Math.max(1, duration.toMillis())), BAN_CHANNEL),
                () -> null);
    }

    /**
     * From this node's copy of the bans, without asking Redis. The copy is current while the notice connection has
     * stayed subscribed since the bans were last read; otherwise a ban may have been missed, and the failure policy
     * answers (fail-closed: refused; local: this node's own table only) until the bans have been read again.
     */
    @Override
    public long banSecondsLeft(Scope scope, String key) {
        if (!noticesCurrent()) {
            return call(() -> {
                throw new RedisException("ban notices may have been missed; reading the bans again");
            }, () -> 0L);
        }
        Long until = banned.get(scopeName(scope) + ":" + key);
        long left = until == null ? 0 : until - System.nanoTime();
        return left <= 0 ? 0 : TimeUnit.NANOSECONDS.toSeconds(left + 999_999_999L);
    }

    @Override
    boolean noticesCurrent() {
        return bansReadAt == subscriptions.get() && pubsub.isOpen();
    }

    /** A ban notice: its milliseconds left, a tab, {@code scope:key}. */
    private void banned(String message) {
        int tab = message.indexOf('\t');
        try {
            ban(message.substring(tab + 1), Long.parseLong(message.substring(0, tab)));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "wsguard cluster: ban notice not applied: " + e);
        }
    }

    private void ban(String scopedKey, long millisLeft) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millisLeft);
        banned.merge(scopedKey, until, (a, b) -> b - a > 0 ? b : a);
    }

    /** Reads the bans and revocations again after notices may have been missed; the store is reachable again. */
    private void resync() {
        try {
            replayRevocations();
            up();
        } catch (RuntimeException e) {
            if (!unreachable(e)) {
                throw e;
            }
            down(e);
        }
    }

    @Override
    public void publish(Notice notice) {
        // Fire and forget: the caller's own node has acted; a lost notice is reported by the failure event.
        String kept = revocationsKey(notice.kind());
        connection.async().zadd(kept, ZAddArgs.Builder.gt(), (double) notice.atEpochMillis(), notice.value());
        connection.async().zremrangebyscore(kept, Double.NEGATIVE_INFINITY,
                (double) (System.currentTimeMillis() - REVOCATION_RETENTION_MS));
        connection.async().publish(CHANNEL, encode(notice)).whenComplete((n, e) -> {
            if (e != null) {
                down(e);
            }
        });
    }

    /**
     * Reads every ban in force into this node's copy, and applies every revocation kept in Redis as if its notice
     * arrived now (applying one twice changes nothing). The copy of the bans is current from then on if the notice
     * connection stayed subscribed meanwhile.
     */
    @Override
    void replayRevocations() {
        long at = subscriptions.get();
        List<Object> left = redis.eval(BANS_LEFT, ScriptOutputType.MULTI, BANS);
        for (int i = 0; i + 1 < left.size(); i += 2) {
            ban(String.valueOf(left.get(i)), Long.parseLong(String.valueOf(left.get(i + 1))));
        }
        bansReadAt = at;
        for (Notice.Kind kind : Notice.Kind.values()) {
            for (ScoredValue<String> kept : redis.zrangeWithScores(revocationsKey(kind), 0, -1)) {
                ClusterNotices.received(new Notice(kind, kept.getValue(), (long) kept.getScore()));
            }
        }
    }

    private static String revocationsKey(Notice.Kind kind) {
        return PREFIX + "revoked:" + kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** One script call for every set. */
    @Override
    boolean takeSlots(String[] sets, String[] slots, int[] maxes) {
        String[] keys = new String[sets.length];
        String[] args = new String[2 * sets.length + 1];
        args[0] = Long.toString(setting.lease().toMillis());
        for (int i = 0; i < sets.length; i++) {
            keys[i] = PREFIX + "conn:" + sets[i];
            args[2 * i + 1] = slots[i];
            args[2 * i + 2] = Integer.toString(maxes[i]);
        }
        Long taken = redis.eval(ACQUIRE, ScriptOutputType.INTEGER, keys, args);
        return taken != null && taken == 1L;
    }

    @Override
    void dropSlot(String set, String slot) {
        connection.async().zrem(PREFIX + "conn:" + set, slot);
    }

    /** One script call per 500 slots, re-adding those a restarted Redis lost. */
    @Override
    void renew(List<Map.Entry<String, String>> live) {
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
                keys[i] = PREFIX + "conn:" + part.get(i).getValue();
                args[i + 1] = part.get(i).getKey();
            }
            redis.eval(RENEW, ScriptOutputType.INTEGER, keys, args);
        }
    }

    /** Bucket4j's compare-and-swap on Lettuce: a read and a conditional write. */
    @Override
    CompletableFuture<Long> takeTokens(String name, String key, BucketConfiguration bucket, Duration period,
                                       long batch) {
        return buckets.builder().build(PREFIX + "rate:" + name + ":" + key,
                () -> CompletableFuture.completedFuture(bucket)).tryConsumeAsMuchAsPossible(batch);
    }

    @Override
    boolean unreachable(RuntimeException e) {
        return e instanceof RedisException;
    }

    @Override
    String describe() {
        return setting.redisUri().replaceAll(":[^:@/]*@", ":***@");
    }

    private static String banKey(Scope scope, String key) {
        return PREFIX + "ban:" + scopeName(scope) + ":" + key;
    }
}
