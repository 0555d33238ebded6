package dev.wsguard.internal.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Coalescing and the rate of key set fetches, over plain times in milliseconds. */
class FetchGateTest {

    private final FetchGate gate = new FetchGate(30_000);

    @Test
    void tryStartWhenIdleThenStarts() {
        assertThat(gate.tryStart(1_000)).isTrue();
    }

    @Test
    void tryStartWhenFetchRunningThenRefusedWhateverTheTime() {
        gate.tryStart(1_000);

        assertThat(gate.tryStart(1_001)).isFalse();
        assertThat(gate.tryStart(1_000_000)).as("a hung fetch is never doubled").isFalse();
    }

    @Test
    void tryStartWhenTwoStartedInWindowThenThirdRefusedUntilWindowEnds() {
        assertThat(gate.tryStart(1_000)).isTrue();
        gate.finished();
        assertThat(gate.tryStart(2_000)).isTrue();
        gate.finished();

        assertThat(gate.tryStart(3_000)).isFalse();
        assertThat(gate.tryStart(30_999)).isFalse();
        assertThat(gate.tryStart(31_000)).isTrue();
    }

    @Test
    void tryStartWhenManyAskInOneWindowThenTwoStart() {
        int started = 0;
        for (long now = 0; now < 30_000; now += 10) {
            if (gate.tryStart(now)) {
                started++;
                gate.finished();
            }
        }
        assertThat(started).isEqualTo(FetchGate.STARTS_PER_WINDOW);
    }

    @Test
    void tryStartWhenQuietAfterWindowThenNewWindowOpensAtNextStart() {
        gate.tryStart(0);
        gate.finished();
        gate.tryStart(1);
        gate.finished();

        assertThat(gate.tryStart(100_000)).isTrue();
        gate.finished();
        assertThat(gate.tryStart(100_001)).isTrue();
        gate.finished();
        assertThat(gate.tryStart(129_999)).as("the window runs from 100000, not on a fixed grid").isFalse();
    }

    @Test
    void tryStartWhenClockNegativeThenSameRules() {
        // System.nanoTime() may be negative.
        assertThat(gate.tryStart(-90_000)).isTrue();
        gate.finished();
        assertThat(gate.tryStart(-89_000)).isTrue();
        gate.finished();
        assertThat(gate.tryStart(-88_000)).isFalse();
        assertThat(gate.tryStart(-60_000)).isTrue();
    }
}
