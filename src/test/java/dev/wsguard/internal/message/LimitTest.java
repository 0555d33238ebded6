package dev.wsguard.internal.message;

import dev.wsguard.GuardConfig;
import dev.wsguard.RateLimit;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class LimitTest {

    static Limit limit(RateLimit.Key key, int permits, Duration period, int maxKeys) {
        return new Limit("test", key, new GuardConfig.RateLimitSetting(permits, period), maxKeys, 0);
    }

    @Test
    void acquireSharedWhenMillionDistinctKeysThenTrackedKeysStayAtCap() {
        Limit limit = limit(RateLimit.Key.ADDRESS, 5, Duration.ofMillis(1), 1_000);
        for (int i = 0; i < 1_000_000; i++) {
            limit.acquireShared("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255));
            assertThat(limit.trackedKeys()).isLessThanOrEqualTo(1_000);
        }
    }

    @Test
    void acquireSharedWhenAllTrackedKeysBusyThenNewKeyTrackedAndOneEvicted() {
        Limit limit = limit(RateLimit.Key.USER, 1, Duration.ofHours(1), 3);
        assertThat(limit.acquireShared("a")).isTrue();
        assertThat(limit.acquireShared("b")).isTrue();
        assertThat(limit.acquireShared("c")).isTrue();
        assertThat(limit.acquireShared("d")).as("a newcomer is never refused for want of room").isTrue();
        assertThat(limit.trackedKeys()).isEqualTo(3);
        assertThat(limit.evicted()).isEqualTo(1);
        assertThat(limit.acquireShared("d")).as("and is limited like any key").isFalse();
    }

    @Test
    void acquireSharedWhenTableFullThenLeastRecentlyUsedKeyGoesAndComesBackFresh() {
        Limit limit = limit(RateLimit.Key.USER, 1, Duration.ofHours(1), 3);
        for (String key : new String[] {"a", "b", "c", "a", "c"}) {
            limit.acquireShared(key);
        }
        assertThat(limit.acquireShared("d")).isTrue();
        assertThat(limit.evicted()).isEqualTo(1);
        assertThat(limit.tracks("b")).as("b, used least recently, made room").isFalse();
        assertThat(limit.acquireShared("a")).as("a kept its spent limiter").isFalse();
        assertThat(limit.acquireShared("c")).as("c kept its spent limiter").isFalse();
        assertThat(limit.acquireShared("b")).as("b comes back with a fresh limiter").isTrue();
    }

    @Test
    void acquireSharedWhenFloodOfFreshKeysThenKeyInUseKeepsItsLimiter() {
        Limit limit = limit(RateLimit.Key.ADDRESS, 5, Duration.ofHours(1), 20);
        int allowed = 0;
        for (int i = 0; i < 10_000; i++) {
            if (limit.acquireShared("192.0.2.1")) {
                allowed++;
            }
            limit.acquireShared("198.51." + (i >> 8) + "." + (i & 255));
        }
        assertThat(allowed).as("flooding fresh keys does not reset the flooder's own limiter").isEqualTo(5);
        assertThat(limit.trackedKeys()).isEqualTo(20);
        assertThat(limit.evicted()).isEqualTo(10_000 + 1 - 20);
    }

    @Test
    void acquireSharedWhenMarkedKeyHoldsAllItsPermitsThenItGoesBeforeABusyOne() throws Exception {
        Limit limit = limit(RateLimit.Key.USER, 1, Duration.ofMillis(200), 2);
        for (String key : new String[] {"busy", "idle", "busy", "idle"}) {
            limit.acquireShared(key);
        }
        Thread.sleep(300);
        limit.acquireShared("busy");
        limit.acquireShared("new");
        assertThat(limit.tracks("idle")).as("a limiter with every permit is no loss").isFalse();
        assertThat(limit.tracks("busy")).as("second chance past one full pass").isTrue();
    }

    @Test
    void acquireSharedWhenOverLimitThenFalseWithoutBlocking() {
        Limit limit = limit(RateLimit.Key.USER, 2, Duration.ofHours(1), 10);
        long start = System.nanoTime();
        assertThat(limit.acquireShared("u")).isTrue();
        assertThat(limit.acquireShared("u")).isTrue();
        assertThat(limit.acquireShared("u")).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }
}
