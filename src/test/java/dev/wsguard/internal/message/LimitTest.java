package dev.wsguard.internal.message;

import dev.wsguard.GuardConfig;
import dev.wsguard.RateLimit;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class LimitTest {

    @Test
    void acquireSharedWhenMillionDistinctKeysThenTrackedKeysStayAtCap() {
        Limit limit = new Limit("bid", RateLimit.Key.ADDRESS,
                new GuardConfig.RateLimitSetting(5, Duration.ofMillis(1)), 1_000, 0);
        for (int i = 0; i < 1_000_000; i++) {
            limit.acquireShared("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255));
            assertThat(limit.trackedKeys()).isLessThanOrEqualTo(1_000);
        }
    }

    @Test
    void acquireSharedWhenAllTrackedKeysBusyThenNewKeyRefusedNotTracked() {
        Limit limit = new Limit("bid", RateLimit.Key.USER,
                new GuardConfig.RateLimitSetting(1, Duration.ofHours(1)), 3, 0);
        assertThat(limit.acquireShared("a")).isTrue();
        assertThat(limit.acquireShared("b")).isTrue();
        assertThat(limit.acquireShared("c")).isTrue();
        assertThat(limit.acquireShared("d")).as("fails closed at the cap").isFalse();
        assertThat(limit.trackedKeys()).isEqualTo(3);
        assertThat(limit.acquireShared("a")).as("a's budget is spent").isFalse();
    }

    @Test
    void acquireSharedWhenOverLimitThenFalseWithoutBlocking() {
        Limit limit = new Limit("publish", RateLimit.Key.USER,
                new GuardConfig.RateLimitSetting(2, Duration.ofHours(1)), 10, 0);
        long start = System.nanoTime();
        assertThat(limit.acquireShared("u")).isTrue();
        assertThat(limit.acquireShared("u")).isTrue();
        assertThat(limit.acquireShared("u")).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }
}
