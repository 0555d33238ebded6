package dev.wsguard.internal;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The one daemon thread that fires wsguard's timers (session deadlines, keep-alive pings, authentication deadlines,
 * the end of bans), alive exactly while some guard is: each guard {@linkplain #retain() retains} it when built and
 * {@linkplain #release() releases} it when closed, and the last release stops the thread. So undeploying a WAR or
 * closing the last {@code GuardedServer} leaves no wsguard thread behind to pin a class loader. Cancelled timers are
 * removed at once; a timer asked for while no guard is alive (a session closing after its guard) is never run.
 * Thread-safe.
 */
public final class Timers {

    /** How often the heartbeat task runs: timers further away than this never wake the thread when armed. */
    private static final long HEARTBEAT_MILLIS = 1_000;
    private static final Future<?> NEVER = CompletableFuture.completedFuture(null);

    /** Written under the class lock by retain and release; read without it by every timer armed. */
    private static volatile ScheduledThreadPoolExecutor executor;
    private static int holders;

    private Timers() {
    }

    /** A guard was built: the timer thread runs at least until the matching {@link #release()}. */
    public static synchronized void retain() {
        if (holders++ == 0) {
            ScheduledThreadPoolExecutor started = new ScheduledThreadPoolExecutor(1, task -> {
                Thread thread = new Thread(task, "wsguard-timer");
                thread.setDaemon(true);
                return thread;
            });
            started.setRemoveOnCancelPolicy(true);
            // The queue wakes its thread whenever a new task becomes the earliest. Sessions arm a timer hours away
            // on every handshake; were the queue otherwise empty (or later), each handshake would cost a thread
            // wake-up. A task due within a second keeps them from ever being the earliest.
            started.scheduleAtFixedRate(() -> { }, HEARTBEAT_MILLIS, HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
            executor = started;
        }
    }

    /** A guard was closed; the last release stops the thread (pending timers are dropped). */
    public static synchronized void release() {
        if (holders == 0) {
            return;
        }
        if (--holders == 0) {
            executor.shutdownNow();
            executor = null;
            Deadlines.clear();
        }
    }

    /** Runs {@code task} once after {@code delayMillis}; never, when no guard is alive. */
    public static Future<?> schedule(Callable<?> task, long delayMillis) {
        return arm(timer -> timer.schedule(task, delayMillis, TimeUnit.MILLISECONDS));
    }

    /** Runs {@code task} once after {@code delayMillis}; never, when no guard is alive. */
    public static Future<?> schedule(Runnable task, long delayMillis) {
        return arm(timer -> timer.schedule(task, delayMillis, TimeUnit.MILLISECONDS));
    }

    /** Runs {@code task} every {@code periodMillis}, first after one period, until cancelled or no guard is alive. */
    public static Future<?> repeat(Runnable task, long periodMillis) {
        return arm(timer -> timer.scheduleAtFixedRate(task, periodMillis, periodMillis, TimeUnit.MILLISECONDS));
    }

    /** Arms a timer on the running thread; a timer asked for while none runs, or as it stops, never fires. */
    private static Future<?> arm(Function<ScheduledThreadPoolExecutor, Future<?>> schedule) {
        ScheduledThreadPoolExecutor timer = executor;
        try {
            return timer == null ? NEVER : schedule.apply(timer);
        } catch (RejectedExecutionException stopped) {
            return NEVER;
        }
    }
}
