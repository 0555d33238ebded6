package dev.wsguard.internal.message;

import java.util.concurrent.Callable;
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

    /** How often the heartbeat task runs: session timers further away than this never wake the thread when armed. */
    private static final long HEARTBEAT_MILLIS = 1_000;

    static {
        TIMER.setRemoveOnCancelPolicy(true);
        // The queue wakes its thread whenever a new task becomes the earliest. Sessions arm a timer hours away on
        // every handshake; were the queue otherwise empty (or later), each handshake would cost a thread wake-up
        // and a context switch. A task due within a second keeps them from ever being the earliest.
        TIMER.scheduleAtFixedRate(() -> { }, HEARTBEAT_MILLIS, HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
    }

    private Expiry() {
    }

    /** As {@link #schedule(Runnable, long)}, without wrapping the task (a Runnable is wrapped in an adapter). */
    static Future<?> schedule(Callable<?> task, long delayMillis) {
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
