package dev.wsguard.internal.jwt;

import com.nimbusds.jose.jwk.JWK;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Keys from an http(s) JWKS, held in memory and fetched on a thread of their own, so that a slow or hanging key
 * server never holds a request thread beyond a small bound.
 *
 * <p>Threat: a few tokens naming unknown {@code kid}s (no valid credentials needed), each asking for a refresh while
 * the key server hangs, holding every worker thread of the container, so that handshakes whose keys are cached queue
 * behind them. Answer:
 * <ul>
 * <li>A token whose key is in a set younger than {@code refresh} is served from memory, whatever any fetch is doing.
 * <li>From {@code refresh} on, the first reader starts a fetch in the background and goes on with the keys at hand.
 *     They stay usable until {@code 2 × refresh} old, so a key server outage shorter than one period costs nothing;
 *     past that they are dropped and every token is refused ({@code TOKEN_KEY_UNKNOWN}) until a fetch succeeds.
 * <li>A token whose {@code kid} the set lacks (a rotated key, or a forgery) may start a fetch: at most one runs at a
 *     time and at most two start per window ({@link FetchGate}; 30 s, or half of {@code refresh} if shorter),
 *     whoever asks.
 * <li>A request waits, up to {@code wait}, only for a fetch it started itself, or for the fetch that brings the
 *     first key set ever. Every other request that finds no key for its token is refused at once, without touching
 *     the network; once the fetch lands, later requests see its keys.
 * <li>A failed fetch keeps the keys at hand (within the age limit above) and logs one line naming neither the URL nor
 *     the answer.
 * </ul>
 * The first fetch starts at deployment ({@link #prefetch()}) without waiting for it: a key server down then fails
 * no deployment, and tokens are refused until it answers. Each fetch runs on a daemon thread
 * ({@code wsguard-jwks-fetch}) that ends with it, bounded by {@link KeyMaterial#fetchJwks(URL)}'s timeouts (a host
 * name that takes long to resolve can hold that thread longer, never a request), so nothing is left to close.
 * Thread-safe.
 */
final class RemoteKeySet {

    /** A fetched key set; {@code version} changes whenever the keys do; {@code fetchedAt} by {@code millis}. */
    record Snapshot(List<JWK> keys, long version, long fetchedAt) {
        /** No usable keys. */
        static final Snapshot NONE = new Snapshot(List.of(), -1, 0);
    }

    static final long MAX_WINDOW_MILLIS = 30_000;

    private static final System.Logger LOG = System.getLogger(RemoteKeySet.class.getName());

    private final Callable<List<JWK>> fetch;
    private final Executor fetchThread;
    private final LongSupplier millis;
    private final long refreshMillis;
    private final long waitMillis;
    /** Guarded by {@code this}, as is {@link #running}. */
    private final FetchGate gate;
    private CompletableFuture<Void> running;
    private volatile Snapshot current;

    /**
     * @param fetch       reads the key set; throws when it cannot
     * @param fetchThread runs one fetch, off the caller's thread
     * @param millis      a monotonic clock in milliseconds
     * @param refresh     age from which the keys are refreshed in the background, at least 1 s
     * @param wait        longest a request waits for a fetch, zero or more
     */
    RemoteKeySet(Callable<List<JWK>> fetch, Executor fetchThread, LongSupplier millis, Duration refresh,
                 Duration wait) {
        this.fetch = fetch;
        this.fetchThread = fetchThread;
        this.millis = millis;
        this.refreshMillis = refresh.toMillis();
        this.waitMillis = wait.toMillis();
        this.gate = new FetchGate(Math.min(MAX_WINDOW_MILLIS, refreshMillis / 2));
    }

    /** The key set at {@code url}, fetched with {@link KeyMaterial#fetchJwks(URL)} on a thread per fetch. */
    static RemoteKeySet at(URL url, Duration refresh, Duration wait) {
        return new RemoteKeySet(() -> KeyMaterial.fetchJwks(url), RemoteKeySet::startFetchThread,
                () -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime()), refresh, wait);
    }

    private static void startFetchThread(Runnable fetch) {
        Thread thread = new Thread(fetch, "wsguard-jwks-fetch");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts the first fetch in the background, so the keys are usually in before the first token. Never waits. */
    void prefetch() {
        start(millis.getAsLong());
    }

    /**
     * The keys to verify a token with; {@link Snapshot#NONE} when no usable set is at hand (or arrived within the
     * wait).
     *
     * @param holdsKey whether a key set holds a key for the token; when the set at hand does not, a refresh may start
     */
    Snapshot keys(Predicate<List<JWK>> holdsKey) {
        long now = millis.getAsLong();
        Snapshot at = current;
        boolean usable = usable(at, now);
        if (usable && now - at.fetchedAt() < refreshMillis && holdsKey.test(at.keys())) {
            return at;
        }
        CompletableFuture<Void> started = start(now);
        if (usable && holdsKey.test(at.keys())) {
            // Due for a refresh, which runs in the background; these keys are still good.
            return at;
        }
        CompletableFuture<Void> awaited = started != null ? started : at == null ? running() : null;
        if (awaited != null && waitMillis > 0) {
            await(awaited);
        }
        Snapshot after = current;
        return usable(after, millis.getAsLong()) ? after : Snapshot.NONE;
    }

    /**
     * The version of the usable key set, or -1 when none is usable. Never waits; starts a background refresh when
     * one is due, so a stream of cached verdicts keeps the keys fresh too.
     */
    long version() {
        long now = millis.getAsLong();
        Snapshot at = current;
        if (!usable(at, now)) {
            return -1;
        }
        if (now - at.fetchedAt() >= refreshMillis) {
            start(now);
        }
        return at.version();
    }

    private boolean usable(Snapshot snapshot, long now) {
        return snapshot != null && now - snapshot.fetchedAt() < 2 * refreshMillis;
    }

    private synchronized CompletableFuture<Void> running() {
        return running;
    }

    /** Starts a fetch if the gate allows; returns it, or null when none was started. Never waits. */
    private synchronized CompletableFuture<Void> start(long now) {
        if (!gate.tryStart(now)) {
            return null;
        }
        CompletableFuture<Void> fetched = new CompletableFuture<>();
        running = fetched;
        try {
            fetchThread.execute(() -> fetchInto(fetched));
        } catch (RuntimeException | Error e) {
            // No thread to be had: without this the gate would stay closed for good.
            finish(fetched);
            throw e;
        }
        return fetched;
    }

    private void fetchInto(CompletableFuture<Void> fetched) {
        try {
            publish(fetch.call());
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "JWKS fetch failed: {0}", e.getMessage());
        } finally {
            finish(fetched);
        }
    }

    private synchronized void publish(List<JWK> keys) {
        Snapshot before = current;
        long version = before == null ? 1 : before.keys().equals(keys) ? before.version() : before.version() + 1;
        current = new Snapshot(List.copyOf(keys), version, millis.getAsLong());
    }

    private void finish(CompletableFuture<Void> fetched) {
        synchronized (this) {
            gate.finished();
            running = null;
        }
        fetched.complete(null);
    }

    private void await(CompletableFuture<Void> fetched) {
        try {
            fetched.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // Refused now; the fetch goes on and serves later requests.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // Not reached: a fetch completes normally, with or without keys.
        }
    }
}
