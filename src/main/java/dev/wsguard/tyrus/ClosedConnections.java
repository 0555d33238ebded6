package dev.wsguard.tyrus;

import dev.wsguard.internal.Timers;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;

/**
 * Connections whose session has closed, each to be dropped once its close grace is over unless it is gone by then.
 * Every connection waits the same grace, so the queue is in the order they fall due: one sweep every
 * {@value #SWEEP_MILLIS} ms drops those that are due and stops at the first that is not. A closing session costs
 * one lock-free append, not a timer task of its own (an entry in a shared timer's heap, under its lock, for every
 * handshake). A connection is dropped between its grace and its grace plus one sweep. Thread-safe.
 */
final class ClosedConnections {

    static final long SWEEP_MILLIS = 100;

    private record Due(long atNanos, ConnectionWire wire) {
    }

    private final long graceNanos;
    private final ConcurrentLinkedQueue<Due> queue = new ConcurrentLinkedQueue<>();
    private volatile Future<?> sweeper;

    ClosedConnections(long graceMillis) {
        this.graceNanos = graceMillis * 1_000_000;
    }

    /** Starts sweeping on wsguard's timer thread (which the caller has retained). */
    void start() {
        sweeper = Timers.repeat(this::sweep, SWEEP_MILLIS);
    }

    /** Stops sweeping; connections still waiting are left to the server's own shutdown. */
    void stop() {
        Future<?> running = sweeper;
        if (running != null) {
            running.cancel(false);
        }
        queue.clear();
    }

    /** {@code wire}'s connection is dropped once the grace is over, unless it is gone by then. */
    void dropAfterGrace(ConnectionWire wire) {
        queue.add(new Due(System.nanoTime() + graceNanos, wire));
    }

    void sweep() {
        long now = System.nanoTime();
        for (Due due = queue.peek(); due != null && due.atNanos - now <= 0; due = queue.peek()) {
            queue.poll();
            due.wire.drop();
        }
    }
}
