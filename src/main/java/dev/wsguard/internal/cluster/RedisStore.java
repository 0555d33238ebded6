package dev.wsguard.internal.cluster;

import dev.wsguard.GuardConfig;
import dev.wsguard.GuardConfigException;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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

    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final AsyncProxyManager<String> buckets;

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
        this.resources = ClientResources.builder()
                .reconnectDelay(Delay.constant(Duration.ofMillis(500))).build();
        this.client = RedisClient.create(this.resources, uri);
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
        startHeartbeat();
    }

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

    /** Applies every revocation kept in Redis, as if its notice arrived now (applying one twice changes nothing). */
    @Override
    void replayRevocations() {
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
    boolean takeSlot(String set, String slot, int max) {
        Long taken = redis.eval(ACQUIRE, ScriptOutputType.INTEGER, new String[] {PREFIX + "conn:" + set}, slot,
                Integer.toString(max), Long.toString(setting.lease().toMillis()));
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
