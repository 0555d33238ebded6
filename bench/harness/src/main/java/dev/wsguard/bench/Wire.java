package dev.wsguard.bench;

/** What the servers answer and what the clients send: the same bytes for every server under test. */
public final class Wire {

    /** The answer to an accepted message. */
    public static final String ACK = "{\"type\":\"ack\"}";
    /** The plain servers' answer to a message that does not decode or validate. */
    public static final String INVALID = "{\"type\":\"error\",\"code\":\"invalid\"}";
    /** Token issuer, audience and allowed origin shared by the driver and every server. */
    public static final String ISSUER = "https://bench.wsguard.dev";
    public static final String AUDIENCE = "bench";
    public static final String ORIGIN = "http://bench.wsguard.dev";

    /** A 200-byte publish message (the size FACTS.md measured plain Tyrus with). */
    public static final String MESSAGE = publish();

    private Wire() {
    }

    private static String publish() {
        String head = "{\"type\":\"publish\",\"channel\":\"tenant:acme:general\",\"text\":\"";
        String tail = "\"}";
        String words = "The quick brown fox jumps over the lazy dog while the guard checks every message. ";
        StringBuilder text = new StringBuilder();
        while (head.length() + text.length() + tail.length() < 200) {
            text.append(words.charAt(text.length() % words.length()));
        }
        return head + text + tail;
    }
}
