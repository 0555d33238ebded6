package dev.wsguard.internal;

import java.util.Arrays;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Deadlines that very many objects hold at once, mostly hours away (every open session holds one: its token's expiry
 * or the end of its maximum lifetime). The objects themselves sit in one binary heap ordered by deadline, and one task
 * on the {@link Timers} thread wakes for the earliest: a deadline costs its object two fields and a slot of the heap,
 * where a timer task each cost 72 bytes per open session. Fired like any other timer: on the timer thread, never
 * while no guard is alive. Thread-safe.
 */
public final class Deadlines {

    /** Further than this (about 73 years) counts as this far: the entry is armed again when it fires. */
    private static final long MAX_DELAY_NANOS = Long.MAX_VALUE >> 2;
    private static final int MIN_CAPACITY = 64;

    private static final Object LOCK = new Object();
    private static Entry[] heap = new Entry[MIN_CAPACITY];
    private static int size;
    /** The task that wakes for the earliest entry, and when it wakes; null when none is armed. */
    private static Future<?> wake;
    private static long wakeAt;

    private Deadlines() {
    }

    /** An object with at most one deadline at a time; {@link #due()} runs when it passes. */
    public abstract static class Entry {
        private long dueNanos;
        /** Its place in the heap, -1 while it has no deadline; guarded by {@code LOCK}. */
        private int index = -1;

        /** The deadline passed: runs on the timer thread, once, after the entry has left the heap. */
        protected abstract void due();
    }

    /** Sets {@code entry}'s deadline {@code delayMillis} from now, replacing the one it had. */
    public static void arm(Entry entry, long delayMillis) {
        long due = System.nanoTime() + Math.min(TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMillis)),
                MAX_DELAY_NANOS);
        synchronized (LOCK) {
            if (entry.index >= 0) {
                removeAt(entry.index);
            }
            entry.dueNanos = due;
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            entry.index = size;
            heap[size++] = entry;
            siftUp(entry.index);
            if (heap[0] == entry && (wake == null || wake.isDone() || due - wakeAt < 0)) {
                wakeFor(due);
            }
        }
    }

    /** Takes {@code entry}'s deadline away, if it has one: it will not fire. */
    public static void cancel(Entry entry) {
        synchronized (LOCK) {
            if (entry.index >= 0) {
                removeAt(entry.index);
                if (heap.length > MIN_CAPACITY && size < heap.length / 4) {
                    heap = Arrays.copyOf(heap, heap.length / 2);
                }
            }
        }
    }

    /** Forgets every deadline: the timer thread stopped with the last guard ({@link Timers#release()}). */
    static void clear() {
        synchronized (LOCK) {
            for (int i = 0; i < size; i++) {
                heap[i].index = -1;
            }
            heap = new Entry[MIN_CAPACITY];
            size = 0;
            wake = null;
        }
    }

    /** How many entries have a deadline now. */
    static int size() {
        synchronized (LOCK) {
            return size;
        }
    }

    /** Replaces the wake-up task with one at {@code due} (a {@link System#nanoTime()} value). Under the lock. */
    private static void wakeFor(long due) {
        if (wake != null) {
            wake.cancel(false);
        }
        wakeAt = due;
        long delayNanos = due - System.nanoTime();
        // Rounded up: a wake-up a little early would find nothing due and arm itself again.
        wake = Timers.schedule(Deadlines::fire, delayNanos <= 0 ? 0 : (delayNanos + 999_999) / 1_000_000);
    }

    /** The wake-up task: takes every entry that is due out of the heap, arms the next wake-up, then fires them. */
    private static void fire() {
        Entry[] due = null;
        int count = 0;
        synchronized (LOCK) {
            long now = System.nanoTime();
            while (size > 0 && heap[0].dueNanos - now <= 0) {
                Entry e = heap[0];
                removeAt(0);
                if (due == null) {
                    due = new Entry[Math.min(size + 1, 16)];
                } else if (count == due.length) {
                    due = Arrays.copyOf(due, count * 2);
                }
                due[count++] = e;
            }
            wake = null;
            if (size > 0) {
                wakeFor(heap[0].dueNanos);
            }
        }
        for (int i = 0; i < count; i++) {
            try {
                due[i].due();
            } catch (RuntimeException e) {
                // One failing entry must not keep the others from firing.
                System.getLogger(Deadlines.class.getName()).log(System.Logger.Level.WARNING,
                        "wsguard: a deadline failed: " + e);
            }
        }
    }

    private static void removeAt(int i) {
        Entry removed = heap[i];
        removed.index = -1;
        Entry last = heap[--size];
        heap[size] = null;
        if (i == size) {
            return;
        }
        heap[i] = last;
        last.index = i;
        siftDown(i);
        if (heap[i] == last) {
            siftUp(i);
        }
    }

    private static void siftUp(int i) {
        Entry e = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Entry p = heap[parent];
            if (e.dueNanos - p.dueNanos >= 0) {
                break;
            }
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = e;
        e.index = i;
    }

    private static void siftDown(int i) {
        Entry e = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && heap[right].dueNanos - heap[child].dueNanos < 0) {
                child = right;
            }
            Entry c = heap[child];
            if (e.dueNanos - c.dueNanos <= 0) {
                break;
            }
            heap[i] = c;
            c.index = i;
            i = child;
        }
        heap[i] = e;
        e.index = i;
    }
}
