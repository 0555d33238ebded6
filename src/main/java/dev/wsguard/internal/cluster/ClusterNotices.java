package dev.wsguard.internal.cluster;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Notices between nodes: what this process publishes goes out through every shared store it runs, and what other
 * nodes publish reaches the one receiver (the revocations). Free of configuration types, so that the public
 * {@code Revocations} can use it.
 */
public final class ClusterNotices {

    private static final CopyOnWriteArrayList<Consumer<Notice>> OUTLETS = new CopyOnWriteArrayList<>();
    private static volatile Consumer<Notice> receiver = n -> { };

    private ClusterNotices() {
    }

    /** Tells the other nodes through every shared store of this process; nothing when there is none. */
    public static void publish(Notice notice) {
        for (Consumer<Notice> outlet : OUTLETS) {
            outlet.accept(notice);
        }
    }

    /** Who acts on notices from other nodes. */
    public static void receiver(Consumer<Notice> handler) {
        receiver = handler;
    }

    static void outlet(Consumer<Notice> publisher) {
        OUTLETS.add(publisher);
    }

    static void removeOutlet(Consumer<Notice> publisher) {
        OUTLETS.remove(publisher);
    }

    /** A notice from another node. */
    static void received(Notice notice) {
        receiver.accept(notice);
    }
}
