package dev.wsguard.tyrus;

import org.glassfish.grizzly.Buffer;

/**
 * Follows the WebSocket frame headers (RFC 6455, section 5.2) a client sends on one connection and decides, from each
 * header alone, whether the frame may pass: before its payload has been read, let alone buffered.
 *
 * <p>It reads only header bytes and skips payloads by counting, so a read costs a few operations per frame whatever
 * its size, and nothing is copied. A header split across reads is picked up where it stopped; a read may hold any
 * number of frames. The payload of one message (a data frame and its continuations) may not exceed the cap; control
 * frames do not count towards a message and may carry at most 125 bytes. Once a frame is refused, every later call
 * returns the same verdict.
 *
 * <p>Not thread-safe: one instance per connection, used only on its read path, where Grizzly hands over one read at a
 * time.
 */
final class FrameSizeTracker {

    /** No objection: pass the bytes on. */
    static final int PASS = 0;
    /** Close code: a message over the cap. */
    static final int MESSAGE_TOO_BIG = 1009;
    /** Close code: a frame no client may send (bad length, control frame over 125 bytes, misplaced fragment). */
    static final int PROTOCOL_ERROR = 1002;

    /** Two fixed bytes, a 64-bit extended length and a masking key. */
    static final int MAX_HEADER_BYTES = 14;

    private static final int MAX_CONTROL_PAYLOAD = 125;

    private final int maxMessageBytes;

    /** Payload bytes of the current frame still to skip; 0 while a header is being read. */
    private long payloadLeft;
    /** The payload length of the header being read, accumulated byte by byte. */
    private long length;
    /** Payload bytes of the current message so far, at most the cap. */
    private int messageBytes;
    /** Header bytes of the current frame seen so far, and how many it has in all once the second byte is known. */
    private int headerSeen;
    private int headerSize;
    /** The two fixed header bytes: FIN, RSV and opcode, then MASK and the 7-bit length. */
    private int head;
    /** A text or binary frame without FIN has been seen and its final continuation has not. */
    private boolean fragmented;
    private int verdict = PASS;

    FrameSizeTracker(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Reads the frame headers among the buffer's remaining bytes; its position and limit are left as they were. Once
     * a frame has been refused nothing more is read.
     *
     * @return {@link #PASS}, or the close code for the first frame that is refused
     */
    int scan(Buffer buffer) {
        int position = buffer.position();
        int limit = buffer.limit();
        while (verdict == PASS && position < limit) {
            if (payloadLeft > 0) {
                int skipped = (int) Math.min(payloadLeft, limit - position);
                position += skipped;
                payloadLeft -= skipped;
            } else {
                headerByte(buffer.get(position++) & 0xFF);
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
            headerSize = 2 + extendedBytes + ((value & 0x80) != 0 ? 4 : 0);
        } else if (headerSeen < 2 + extendedLengthBytes()) {
            length = (length << 8) | value;
        }
        headerSeen++;
        if (headerSeen == headerSize) {
            verdict = frame();
            headerSeen = 0;
            payloadLeft = length;
        }
    }

    /** {@link #PASS}, or the close code of the frame already refused. */
    int verdict() {
        return verdict;
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
        int opcode = (head >> 8) & 0x0F;
        boolean fin = (head & 0x8000) != 0;
        if ((opcode & 0x08) != 0) {
            return length > MAX_CONTROL_PAYLOAD ? PROTOCOL_ERROR : PASS;
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
        }
        if (length > maxMessageBytes - messageBytes) {
            return MESSAGE_TOO_BIG;
        }
        messageBytes += (int) length;
        fragmented = !fin;
        return PASS;
    }
}
