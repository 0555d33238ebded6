package dev.wsguard.probe.internal;

/** What the server did next on an open session. */
sealed interface Event {

    /** A whole text (or binary, read as text) message. */
    record Text(String text, int bytes) implements Event {
    }

    /** A close frame. */
    record Closed(int code, String reason) implements Event {
    }

    /** The connection ended or failed without a close frame. */
    record Gone(String why) implements Event {
    }

    /** Nothing within the wait. */
    record Silent() implements Event {
    }
}
