package dev.wsguard.internal;

import dev.wsguard.Rejection;

/**
 * Follows the WebSocket frame headers (RFC 6455, section 5.2) a client sends on one connection and decides, from each
 * header alone, whether the frame may pass: before its payload has been read, let alone buffered.
 *
 * <p>It reads only header bytes and skips payloads by counting, so a read costs a few operations per frame whatever
 * its size, and nothing is copied. A header split across reads is picked up where it stopped; a read may hold any
 * number of frames. Every client frame must be masked (RFC 6455, section 5.1). The payload of one message (a data
 * frame and its continuations) may not exceed the cap, nor span more than {@link #maxFramesPerMessage(int)} frames:
 * a million empty continuations would otherwise cost seconds of CPU and still make one message. Control frames do not
 * count towards a message and may carry at most 125 bytes; pings and pongs are counted for the caller, who holds them
 * to the session's flood limit.
 *
 * <p>Once a frame is refused, every later call returns the same verdict, and the tracker only follows headers further
 * to notice the client's close frame ({@link #closeSeen()}): the connection is drained until the client has read the
 * refusal, so that a reset does not overtake it.
 *
 * <p>Used by {@code GuardedServer}'s Grizzly filter and, on Payara, by the input stream wsguard puts under Tyrus's
 * upgrade handler. Not thread-safe: one instance per connection, used only on its read path, which hands over one read
 * at a time.
 */
public final class FrameSizeTracker {

    /** The bytes of one read, by index. */
    @FunctionalInterface
    public interface Bytes {
        /** The byte at {@code index}, as the read holds it. */
        byte at(int index);
    }

    /** No objection: pass the bytes on. */
    public static final int PASS = 0;
    /** Close code: a message over the cap. */
    public static final int MESSAGE_TOO_BIG = 1009;
    /**
     * Close code: a frame no client may send (unmasked, bad length, control frame over 125 bytes, misplaced
     * fragment).
     */
    public static final int PROTOCOL_ERROR = 1002;
    /** Close code: a message split into more frames than its size can justify. */
    public static final int TOO_MANY_FRAMES = 1008;

    /** Two fixed bytes, a 64-bit extended length and a masking key. */
    public static final int MAX_HEADER_BYTES = 14;

    private static final int MAX_CONTROL_PAYLOAD = 125;

    /** At least this many frames per message are allowed, whatever the cap. */
    private static final int MIN_FRAMES_PER_MESSAGE = 16;
    /** Beyond that minimum, one frame per this many bytes of the cap. */
    private static final int BYTES_PER_FRAME = 1024;

    private static final int OPCODE_CLOSE = 0x8;
    private static final int OPCODE_PING = 0x9;
    private static final int OPCODE_PONG = 0xA;

    /** The cap; the frames a message may span follow from it ({@link #maxFramesPerMessage}). */
    private final int maxMessageBytes;

    /** Payload bytes of the current frame still to skip; 0 while a header is being read. */
    private long payloadLeft;
    /** The payload length of the header being read, accumulated byte by byte. */
    private long length;
    /** Payload bytes of the current message so far, at most the cap. */
    private int messageBytes;
    /**
     * Header bytes of the current frame seen so far, and how many it has in all once the second byte is known (at
     * most {@link #MAX_HEADER_BYTES}: bytes, as every connection holds a tracker).
     */
    private byte headerSeen;
    private byte headerSize;
    /** The two fixed header bytes: FIN, RSV and opcode, then MASK and the 7-bit length. */
    private int head;
    /** Frames of the current message so far. */
    private int messageFrames;
    /** A text or binary frame without FIN has been seen and its final continuation has not. */
    private boolean fragmented;
    private int verdict = PASS;
    /** Pings and pongs seen since the caller last took the count. */
    private int controlFrames;
    private boolean closeSeen;
    /** Bytes read and discarded since the refusal. */
    private long drained;

    public FrameSizeTracker(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * How many frames one message may span: one per KiB of the cap, and at least 16. Browsers never fragment; the
     * JDK client splits into 16 KiB frames, other clients into a few KiB at the least.
     */
    public static int maxFramesPerMessage(int maxMessageBytes) {
        return Math.max(MIN_FRAMES_PER_MESSAGE, maxMessageBytes / BYTES_PER_FRAME + 1);
    }

    /**
     * Reads the frame headers among the read's bytes from {@code position} (inclusive) to {@code limit} (exclusive);
     * nothing is copied or changed. Once a frame has been refused, later headers are followed only to notice a close
     * frame.
     *
     * @return {@link #PASS}, or the close code for the first frame that is refused
     */
    public int scan(Bytes read, int position, int limit) {
        while (position < limit) {
            if (payloadLeft > 0) {
                int skipped = (int) Math.min(payloadLeft, limit - position);
                position += skipped;
                payloadLeft -= skipped;
            } else {
                headerByte(read.at(position++) & 0xFF);
            }
        }
        return verdict;
    }

    private void headerByte(int value) {
        if (headerSeen == 0) {
            head = value << 8;
            headerSize = 2;
            length = 0;
        } else if (headerSeen == 1) {
            head |= value;
            int extendedBytes = extendedLengthBytes();
            length = extendedBytes == 0 ? value & 0x7F : 0;
            headerSize = (byte) (2 + extendedBytes + ((value & 0x80) != 0 ? 4 : 0));
        } else if (headerSeen < 2 + extendedLengthBytes()) {
            length = (length << 8) | value;
        }
        headerSeen++;
        if (headerSeen == headerSize) {
            if (verdict == PASS) {
                verdict = frame();
            } else if (((head >> 8) & 0x0F) == OPCODE_CLOSE) {
                closeSeen = true;
            }
            headerSeen = 0;
            // A negative length cannot be skipped: everything after it is drained unread.
            payloadLeft = length < 0 ? Long.MAX_VALUE : length;
        }
    }

    /** What a refusal with {@code verdict} is reported as: the reason of its events and audit lines. */
    public static Rejection rejection(int verdict) {
        return switch (verdict) {
            case MESSAGE_TOO_BIG -> Rejection.MESSAGE_TOO_BIG;
            case TOO_MANY_FRAMES -> Rejection.MESSAGE_TOO_FRAGMENTED;
            default -> Rejection.MESSAGE_MALFORMED;
        };
    }

    /** The reason phrase of the close frame that answers {@code verdict}. */
    public static String phrase(int verdict) {
        return switch (verdict) {
            case MESSAGE_TOO_BIG -> "message too big";
            case TOO_MANY_FRAMES -> "too many frames";
            default -> "protocol error";
        };
    }

    /** {@link #PASS}, or the close code of the frame already refused. */
    public int verdict() {
        return verdict;
    }

    /** The pings and pongs seen since the last call. */
    public int takeControlFrames() {
        int count = controlFrames;
        controlFrames = 0;
        return count;
    }

    /** Counts {@code bytes} more read and discarded after the refusal; returns the total so far. */
    public long drained(int bytes) {
        drained += bytes;
        return drained;
    }

    /** Whether the client has sent a close frame. */
    public boolean closeSeen() {
        return closeSeen;
    }

    private int extendedLengthBytes() {
        int shortLength = head & 0x7F;
        return shortLength == 126 ? 2 : shortLength == 127 ? 8 : 0;
    }

    private int frame() {
        if (length < 0) {
            // A 64-bit length with its top bit set: forbidden by RFC 6455, and no sane peer sends 8 EiB.
            return PROTOCOL_ERROR;
        }
        if ((head & 0x80) == 0) {
            return PROTOCOL_ERROR;
        }
        int opcode = (head >> 8) & 0x0F;
        boolean fin = (head & 0x8000) != 0;
        if ((opcode & 0x08) != 0) {
            if (length > MAX_CONTROL_PAYLOAD) {
                return PROTOCOL_ERROR;
            }
            if (opcode == OPCODE_PING || opcode == OPCODE_PONG) {
                controlFrames++;
            } else if (opcode == OPCODE_CLOSE) {
                closeSeen = true;
            }
            return PASS;
        }
        if (opcode == 0) {
            if (!fragmented) {
                return PROTOCOL_ERROR;
            }
        } else {
            if (fragmented) {
                return PROTOCOL_ERROR;
            }
            messageBytes = 0;
            messageFrames = 0;
        }
        if (length > maxMessageBytes - messageBytes) {
            return MESSAGE_TOO_BIG;
        }
        if (++messageFrames > maxFramesPerMessage(maxMessageBytes)) {
            return TOO_MANY_FRAMES;
        }
        messageBytes += (int) length;
        fragmented = !fin;
        return PASS;
    }
}
