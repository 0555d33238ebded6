package dev.wsguard.internal.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import dev.wsguard.testing.TestTokens;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * When the remote key set fetches, who waits and for how long, and which keys a request gets, with a hand-moved
 * clock and fetches that run only when the test lets them (no network, no sleeping).
 */
class RemoteKeySetTest {

    static final Duration REFRESH = Duration.ofMinutes(10);
    static final long WINDOW = 30_000;

    static final JWK A = key("a");
    static final JWK B = key("b");

    final AtomicLong clock = new AtomicLong(5_000);
    final AtomicInteger fetches = new AtomicInteger();
    /** What the next fetches return, in order; an empty queue or a null entry makes a fetch fail. */
    final Deque<List<JWK>> published = new ArrayDeque<>();
    /** Fetches started and not yet run. */
    final List<Runnable> pending = new ArrayList<>();

    static JWK key(String kid) {
        try {
            return new RSAKey.Builder(TestTokens.rsa2048().toRSAPublicKey()).keyID(kid).build();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static Predicate<List<JWK>> holds(JWK key) {
        return keys -> keys.contains(key);
    }

    static Predicate<List<JWK>> anyKey() {
        return keys -> true;
    }

    RemoteKeySet keySet(Duration wait) {
        return new RemoteKeySet(() -> {
            fetches.incrementAndGet();
            List<JWK> next = published.poll();
            if (next == null) {
                throw new IOException("the key server answered 503");
            }
            return next;
        }, pending::add, clock::get, REFRESH, wait);
    }

    void runPending() {
        List<Runnable> now = new ArrayList<>(pending);
        pending.clear();
        now.forEach(Runnable::run);
    }

    /** A key set holding {@code A}, fetched once. */
    RemoteKeySet loaded() {
        RemoteKeySet set = keySet(Duration.ZERO);
        published.add(List.of(A));
        set.keys(anyKey());
        runPending();
        assertThat(set.keys(holds(A)).keys()).containsExactly(A);
        return set;
    }

    /** A key set holding {@code A}, now due for a refresh whose fetch will return {@code next}. */
    RemoteKeySet due(List<JWK> next) {
        RemoteKeySet set = loaded();
        published.add(next);
        clock.addAndGet(REFRESH.toMillis());
        return set;
    }

    @Test
    void keysWhenNothingFetchedYetThenFirstRequestStartsOneFetch() {
        RemoteKeySet set = keySet(Duration.ZERO);
        published.add(List.of(A));

        assertThat(set.keys(holds(A)).keys()).as("nothing to wait for with a zero wait").isEmpty();
        assertThat(set.keys(holds(A)).keys()).isEmpty();
        assertThat(pending).hasSize(1);

        runPending();

        assertThat(set.keys(holds(A)).keys()).containsExactly(A);
        assertThat(fetches).hasValue(1);
    }

    @Test
    void keysWhenKidKnownThenServedFromMemoryWithoutFetching() {
        RemoteKeySet set = loaded();
        clock.addAndGet(REFRESH.toMillis() - 1);

        for (int i = 0; i < 1_000; i++) {
            assertThat(set.keys(holds(A)).keys()).containsExactly(A);
        }
        assertThat(pending).isEmpty();
        assertThat(fetches).hasValue(1);
    }

    @Test
    void keysWhenKidUnknownThenOneRefreshAndEveryoneElseAnsweredAtOnce() {
        RemoteKeySet set = loaded();
        published.add(List.of(A, B));

        for (int i = 0; i < 20; i++) {
            assertThat(set.keys(holds(B)).keys()).as("refused at once while the refresh runs").containsExactly(A);
        }
        assertThat(pending).as("coalesced: one fetch in flight").hasSize(1);
        assertThat(set.keys(holds(A)).keys()).as("a known kid is served meanwhile").containsExactly(A);

        runPending();

        assertThat(set.keys(holds(B)).keys()).containsExactly(A, B);
        assertThat(fetches).hasValue(2);
    }

    @Test
    void keysWhenUnknownKidsFloodThenTwoFetchesPerWindow() {
        RemoteKeySet set = loaded();
        for (int i = 0; i < 100; i++) {
            published.add(List.of(A));
        }
        for (int i = 0; i < 100; i++) {
            set.keys(holds(B));
            runPending();
            clock.addAndGet(10);
        }
        assertThat(fetches).as("the first fetch and one refresh in the window").hasValue(2);

        clock.addAndGet(WINDOW);
        set.keys(holds(B));
        runPending();
        assertThat(fetches).hasValue(3);
    }

    @Test
    void keysWhenSetDueThenKeysAtHandServedAndRefreshRunsInBackground() {
        RemoteKeySet set = due(List.of(B));

        assertThat(set.keys(holds(A)).keys()).containsExactly(A);
        assertThat(pending).hasSize(1);

        runPending();

        assertThat(set.keys(holds(B)).keys()).containsExactly(B);
        assertThat(set.version()).isEqualTo(2);
    }

    @Test
    void versionWhenSetDueThenStartsRefreshWithoutWaiting() {
        RemoteKeySet set = due(List.of(A));

        assertThat(set.version()).isEqualTo(1);
        assertThat(pending).hasSize(1);
        runPending();
        assertThat(set.version()).as("same keys, same version").isEqualTo(1);
        assertThat(fetches).hasValue(2);
    }

    @Test
    void keysWhenRefreshFailsThenKeysAtHandStayUntilTwiceRefreshOld() {
        RemoteKeySet set = loaded();
        clock.addAndGet(REFRESH.toMillis());
        set.keys(holds(A));
        runPending();

        assertThat(set.keys(holds(A)).keys()).containsExactly(A);
        clock.addAndGet(REFRESH.toMillis() - 1);
        assertThat(set.keys(holds(A)).keys()).containsExactly(A);
        assertThat(set.version()).isPositive();

        clock.addAndGet(1);
        assertThat(set.version()).isEqualTo(-1);
        assertThat(set.keys(holds(A)).keys()).as("fail closed once too old").isEmpty();
    }

    @Test
    void keysWhenExpiredSetFetchedAgainThenUsableAgain() {
        RemoteKeySet set = loaded();
        clock.addAndGet(2 * REFRESH.toMillis());
        published.add(List.of(A));

        assertThat(set.keys(holds(A)).keys()).isEmpty();
        runPending();

        assertThat(set.keys(holds(A)).keys()).containsExactly(A);
    }

    @Test
    void keysWhenStarterWaitsThenAtMostTheWait() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RemoteKeySet set = new RemoteKeySet(() -> {
            release.await(10, TimeUnit.SECONDS);
            return List.of(A);
        }, task -> new Thread(task).start(), clock::get, REFRESH, Duration.ofMillis(200));
        try {
            long start = System.nanoTime();
            assertThat(set.keys(holds(A)).keys()).isEmpty();
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(waited).isBetween(150L, 2_000L);
        } finally {
            release.countDown();
        }
    }

    @Test
    void keysWhenFetchLandsWithinTheWaitThenItsKeysAtOnce() {
        RemoteKeySet set = new RemoteKeySet(() -> {
            Thread.sleep(50);
            return List.of(A);
        }, task -> new Thread(task).start(), clock::get, REFRESH, Duration.ofSeconds(5));

        long start = System.nanoTime();
        assertThat(set.keys(holds(A)).keys()).containsExactly(A);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(4_000);
    }

    @Test
    void keysWhenFirstFetchStartedAtDeploymentThenFirstTokenWaitsForIt() {
        RemoteKeySet set = new RemoteKeySet(() -> {
            fetches.incrementAndGet();
            Thread.sleep(50);
            return List.of(A);
        }, task -> new Thread(task).start(), clock::get, REFRESH, Duration.ofSeconds(5));

        set.prefetch();

        assertThat(set.keys(holds(A)).keys()).as("no key set yet: waiting costs nothing").containsExactly(A);
        assertThat(fetches).hasValue(1);
    }

    @Test
    void keysWhenRefreshRunningAndNotStarterThenNoWait() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        RemoteKeySet set = new RemoteKeySet(() -> {
            if (calls.incrementAndGet() > 1) {
                release.await(10, TimeUnit.SECONDS);
            }
            return List.of(A);
        }, task -> new Thread(task).start(), clock::get, REFRESH, Duration.ofSeconds(5));
        try {
            assertThat(set.keys(holds(A)).keys()).containsExactly(A);
            Thread starter = new Thread(() -> set.keys(holds(B)));
            starter.start();
            while (calls.get() < 2) {
                Thread.sleep(5);
            }

            long start = System.nanoTime();
            assertThat(set.keys(holds(B)).keys()).containsExactly(A);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1_000);
            release.countDown();
            starter.join(10_000);
        } finally {
            release.countDown();
        }
    }
}
