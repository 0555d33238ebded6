package dev.wsguard.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DeadlinesTest {

    private final List<String> fired = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        Timers.retain();
    }

    @AfterEach
    void stop() {
        Timers.release();
    }

    private final class Named extends Deadlines.Entry {
        final String name;
        final CountDownLatch done;

        Named(String name, CountDownLatch done) {
            this.name = name;
            this.done = done;
        }

        @Override
        protected void due() {
            fired.add(name);
            done.countDown();
        }
    }

    @Test
    void armWhenSeveralDeadlinesThenEachFiresOnceInOrder() throws Exception {
        CountDownLatch done = new CountDownLatch(3);
        Named late = new Named("late", done);
        Named early = new Named("early", done);
        Named middle = new Named("middle", done);
        Deadlines.arm(late, 300);
        Deadlines.arm(early, 50);
        Deadlines.arm(middle, 150);

        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(100);
        assertThat(fired).containsExactly("early", "middle", "late");
        assertThat(Deadlines.size()).isZero();
    }

    @Test
    void cancelWhenArmedThenNeverFires() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        Named cancelled = new Named("cancelled", new CountDownLatch(1));
        Named kept = new Named("kept", done);
        Deadlines.arm(cancelled, 50);
        Deadlines.arm(kept, 200);
        Deadlines.cancel(cancelled);

        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(100);
        assertThat(fired).containsExactly("kept");
    }

    @Test
    void armWhenArmedAgainThenOnlyTheNewDeadlineCounts() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        Named moved = new Named("moved", done);
        Named marker = new Named("marker", new CountDownLatch(1));
        Deadlines.arm(moved, 50);
        Deadlines.arm(moved, 400);
        Deadlines.arm(marker, 150);

        Thread.sleep(250);
        assertThat(fired).containsExactly("marker");
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(fired).containsExactly("marker", "moved");
    }

    @Test
    void armWhenManyEntriesInAnyOrderThenAllFireInDeadlineOrder() throws Exception {
        int n = 500;
        CountDownLatch done = new CountDownLatch(n);
        java.util.Random random = new java.util.Random(18);
        List<Named> entries = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            entries.add(new Named(Integer.toString(i), done));
        }
        int[] delays = new int[n];
        for (int i = 0; i < n; i++) {
            delays[i] = 20 + random.nextInt(300);
            Deadlines.arm(entries.get(i), delays[i]);
        }
        for (int i = 0; i < n; i += 5) {
            Deadlines.cancel(entries.get(i));
            done.countDown();
        }

        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(fired).hasSize(n - n / 5).doesNotContain("0", "5", "495");
        for (int i = 1; i < fired.size(); i++) {
            // Entries due at least 2 ms apart fire in their order (one wake-up can take several due at once).
            int a = delays[Integer.parseInt(fired.get(i - 1))];
            int b = delays[Integer.parseInt(fired.get(i))];
            assertThat(a).isLessThanOrEqualTo(b + 2);
        }
    }

    @Test
    void armWhenDeadlineCenturiesAwayThenItDoesNotFire() throws Exception {
        Named far = new Named("far", new CountDownLatch(1));
        Deadlines.arm(far, Long.MAX_VALUE);
        Thread.sleep(100);
        assertThat(fired).isEmpty();
        Deadlines.cancel(far);
        assertThat(Deadlines.size()).isZero();
    }
}
