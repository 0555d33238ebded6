package dev.wsguard.tyrus;

import dev.wsguard.internal.FrameSizeTracker;

import static dev.wsguard.internal.FrameSizeTracker.MESSAGE_TOO_BIG;
import static dev.wsguard.internal.FrameSizeTracker.PASS;
import static dev.wsguard.internal.FrameSizeTracker.PROTOCOL_ERROR;
import static dev.wsguard.tyrus.RawWebSocket.BINARY;
import static dev.wsguard.tyrus.RawWebSocket.CLOSE;
import static dev.wsguard.tyrus.RawWebSocket.CONTINUATION;
import static dev.wsguard.tyrus.RawWebSocket.PING;
import static dev.wsguard.tyrus.RawWebSocket.TEXT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.memory.MemoryManager;
import org.junit.jupiter.api.Test;

/** Frame header bookkeeping on byte streams cut every which way, without a server. */
class FrameSizeTrackerTest {

    private static final int CAP = 1000;

    @Test
    void scanWhenManyFramesInOneReadThenPassAndBufferUntouched() {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int i = 0; i < 100; i++) {
            stream.writeBytes(RawWebSocket.frame(true, i % 2 == 0 ? TEXT : BINARY, RawWebSocket.payload(i * 10)));
        }
        Buffer buffer = wrap(stream.toByteArray());
        int position = buffer.position();
        int limit = buffer.limit();

        assertThat(FrameGuardFilter.scan(new FrameSizeTracker(CAP), buffer)).isEqualTo(PASS);
        assertThat(buffer.position()).isEqualTo(position);
        assertThat(buffer.limit()).isEqualTo(limit);
    }

    @Test
    void scanWhenMessageExactlyAtCapThenPass() {
        assertThat(scan(RawWebSocket.frame(true, TEXT, RawWebSocket.payload(CAP)))).isEqualTo(PASS);
        assertThat(scan(RawWebSocket.frame(true, BINARY, RawWebSocket.payload(CAP)))).isEqualTo(PASS);
    }

    @Test
    void scanWhenFrameOneByteOverCapThenTooBigBeforeItsPayload() {
        assertThat(scan(RawWebSocket.header(true, TEXT, CAP + 1))).isEqualTo(MESSAGE_TOO_BIG);
        assertThat(scan(RawWebSocket.header(true, BINARY, 50L << 20))).isEqualTo(MESSAGE_TOO_BIG);
        assertThat(scan(RawWebSocket.header(true, TEXT, Long.MAX_VALUE))).isEqualTo(MESSAGE_TOO_BIG);
    }

    @Test
    void scanWhenFragmentsSumToCapThenPassAndOneMoreByteTooBig() {
        byte[] atCap = concat(
                RawWebSocket.frame(false, TEXT, RawWebSocket.payload(400)),
                RawWebSocket.frame(true, PING, RawWebSocket.payload(125)),
                RawWebSocket.frame(false, CONTINUATION, RawWebSocket.payload(400)),
                RawWebSocket.frame(true, CONTINUATION, RawWebSocket.payload(200)));
        FrameSizeTracker tracker = new FrameSizeTracker(CAP);

        assertThat(FrameGuardFilter.scan(tracker, wrap(atCap))).isEqualTo(PASS);
        assertThat(FrameGuardFilter.scan(tracker, wrap(atCap))).as("the count starts again with each message").isEqualTo(PASS);
        assertThat(scan(concat(
                RawWebSocket.frame(false, BINARY, RawWebSocket.payload(999)),
                RawWebSocket.header(true, CONTINUATION, 2))))
                .isEqualTo(MESSAGE_TOO_BIG);
    }

    @Test
    void scanWhenZeroLengthFragmentsThenPass() {
        byte[] stream = concat(
                RawWebSocket.frame(false, TEXT, new byte[0]),
                RawWebSocket.frame(false, CONTINUATION, new byte[0]),
                RawWebSocket.frame(true, CONTINUATION, RawWebSocket.payload(CAP)));

        assertThat(scan(stream)).isEqualTo(PASS);
    }

    @Test
    void scanWhenHeaderSplitAtEveryByteThenSameVerdicts() {
        byte[][] headers = {
            RawWebSocket.header(true, TEXT, 125),
            RawWebSocket.header(true, TEXT, 126),
            RawWebSocket.header(true, BINARY, CAP),
            RawWebSocket.header(true, TEXT, 70_000),
            RawWebSocket.header(true, BINARY, 50L << 20),
            unmaskedHeader(TEXT, CAP + 1),
            sixtyFourBitHeader(Long.MIN_VALUE),
        };
        for (byte[] header : headers) {
            int whole = scan(header);
            FrameSizeTracker byteByByte = new FrameSizeTracker(CAP);
            int verdict = PASS;
            for (int i = 0; i < header.length && verdict == PASS; i++) {
                verdict = FrameGuardFilter.scan(byteByByte, wrap(new byte[] {header[i]}));
                if (i < header.length - 1 && whole != PASS) {
                    assertThat(verdict).as("no verdict before the length is complete").isEqualTo(PASS);
                }
            }
            assertThat(verdict).as("header %s", Arrays.toString(header)).isEqualTo(whole);
        }
    }

    @Test
    void scanWhenPayloadSpansManyReadsThenNextHeaderFound() {
        byte[] stream = concat(
                RawWebSocket.frame(true, BINARY, RawWebSocket.payload(CAP)),
                RawWebSocket.frame(true, TEXT, RawWebSocket.payload(CAP)),
                RawWebSocket.header(true, TEXT, CAP + 1));
        for (int chunk : new int[] {1, 2, 3, 7, 13, 64, 999, 1000, 1001, 4096}) {
            FrameSizeTracker tracker = new FrameSizeTracker(CAP);
            int verdict = PASS;
            int offset = 0;
            while (offset < stream.length && verdict == PASS) {
                int end = Math.min(stream.length, offset + chunk);
                verdict = FrameGuardFilter.scan(tracker, wrap(Arrays.copyOfRange(stream, offset, end)));
                offset = end;
            }
            assertThat(verdict).as("chunks of %d", chunk).isEqualTo(MESSAGE_TOO_BIG);
            assertThat(offset).as("refused with the last header byte, chunks of %d", chunk).isEqualTo(stream.length);
        }
    }

    @Test
    void scanWhenSixtyFourBitLengthHasTopBitThenProtocolError() {
        assertThat(scan(sixtyFourBitHeader(Long.MIN_VALUE))).isEqualTo(PROTOCOL_ERROR);
        assertThat(scan(sixtyFourBitHeader(-1L))).isEqualTo(PROTOCOL_ERROR);
    }

    @Test
    void scanWhenControlFrameOver125BytesThenProtocolError() {
        assertThat(scan(RawWebSocket.header(true, PING, 126))).isEqualTo(PROTOCOL_ERROR);
        assertThat(scan(RawWebSocket.header(true, CLOSE, 1 << 20))).isEqualTo(PROTOCOL_ERROR);
    }

    @Test
    void scanWhenFragmentOutOfPlaceThenProtocolError() {
        assertThat(scan(RawWebSocket.frame(true, CONTINUATION, RawWebSocket.payload(1)))).isEqualTo(PROTOCOL_ERROR);
        assertThat(scan(concat(
                RawWebSocket.frame(false, TEXT, RawWebSocket.payload(1)),
                RawWebSocket.frame(true, BINARY, RawWebSocket.payload(1)))))
                .isEqualTo(PROTOCOL_ERROR);
    }

    @Test
    void scanWhenAlreadyRefusedThenSameVerdictWhateverFollows() {
        FrameSizeTracker tracker = new FrameSizeTracker(CAP);
        assertThat(FrameGuardFilter.scan(tracker, wrap(RawWebSocket.header(true, TEXT, CAP + 1)))).isEqualTo(MESSAGE_TOO_BIG);

        assertThat(FrameGuardFilter.scan(tracker, wrap(RawWebSocket.frame(true, TEXT, RawWebSocket.payload(1)))))
                .isEqualTo(MESSAGE_TOO_BIG);
        assertThat(tracker.verdict()).isEqualTo(MESSAGE_TOO_BIG);
    }

    private static int scan(byte[] bytes) {
        return FrameGuardFilter.scan(new FrameSizeTracker(CAP), wrap(bytes));
    }

    private static Buffer wrap(byte[] bytes) {
        // Some slack on both sides: the tracker must honour position and limit, not the array bounds.
        byte[] padded = new byte[bytes.length + 6];
        Arrays.fill(padded, (byte) 0xFF);
        System.arraycopy(bytes, 0, padded, 3, bytes.length);
        Buffer buffer = Buffers.wrap(MemoryManager.DEFAULT_MEMORY_MANAGER, padded);
        buffer.position(3);
        buffer.limit(3 + bytes.length);
        return buffer;
    }

    private static byte[] unmaskedHeader(int opcode, int length) {
        return ByteBuffer.allocate(4).put((byte) (0x80 | opcode)).put((byte) 126).putShort((short) length).array();
    }

    private static byte[] sixtyFourBitHeader(long length) {
        return ByteBuffer.allocate(14).put((byte) 0x81).put((byte) (0x80 | 127)).putLong(length).putInt(0).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
