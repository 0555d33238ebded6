package dev.wsguard.internal.message;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One daemon thread that fires the session timers (token expiry, lifetime, authentication deadline, pings). Cancelled timers are removed at once, so a closed session
 * leaves nothing behind; a close is quick (it only queues a close frame), so one thread serves every session.
 */
final class Expiry {

    private static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "wsguard-expiry");
        t.setDaemon(true);
        return t;
    });

    static {
        TIMER.setRemoveOnCancelPolicy(true);
    }

    private Expiry() {
    }

    /** As {@link #schedule(Runnable, long)}, without wrapping the task (a Runnable is wrapped in an adapter). */
    static Future<?> schedule(java.util.concurrent.Callable<?> task, long delayMillis) {
        return TIMER.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    }

    static Future<?> schedule(Runnable task, long delayMillis) {
        return TIMER.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} every {@code periodMillis}, first after one period; a ping only queues a frame. */
    static Future<?> repeat(Runnable task, long periodMillis) {
        return TIMER.scheduleAtFixedRate(task, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }
}
