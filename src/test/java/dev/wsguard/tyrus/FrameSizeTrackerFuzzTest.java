package dev.wsguard.tyrus;

import dev.wsguard.internal.FrameSizeTracker;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;

import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.memory.MemoryManager;

import static dev.wsguard.internal.FrameSizeTracker.MESSAGE_TOO_BIG;
import static dev.wsguard.internal.FrameSizeTracker.PASS;
import static dev.wsguard.internal.FrameSizeTracker.PROTOCOL_ERROR;
import static dev.wsguard.internal.FrameSizeTracker.TOO_MANY_FRAMES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The frame tracker on any byte stream, cut into any reads: the same verdict, control-frame count and close as one
 * read of the whole stream, and as a plain parser that reads the whole stream at once (RFC 6455, section 5.2, with
 * the tracker's documented limits). A verdict is PASS, 1009, 1002 or 1008; nothing is thrown. Plain test runs
 * replay the saved inputs; docs/fuzzing.md says how to fuzz.
 */
class FrameSizeTrackerFuzzTest {

    private static final int CONTROL_PAYLOAD = 125;

    @FuzzTest
    void scanWhenAnyStreamCutAnyWayThenSameAnswerAsOneWholeRead(FuzzedDataProvider data) {
        int cap = data.consumeInt(1, 5000);
        int reads = data.consumeInt(1, 12);
        int[] cuts = new int[reads];
        for (int i = 0; i < reads; i++) {
            cuts[i] = data.consumeInt(0, 40);
        }
        byte[] stream = data.consumeBoolean() ? data.consumeRemainingAsBytes() : frames(data);

        Expected expected = Expected.of(stream, cap);

        FrameSizeTracker whole = new FrameSizeTracker(cap);
        assertThat(scan(whole, stream, 0, stream.length)).isEqualTo(expected.verdict);
        assertThat(whole.takeControlFrames()).isEqualTo(expected.controlFrames);
        assertThat(whole.closeSeen()).isEqualTo(expected.closeSeen);

        FrameSizeTracker cut = new FrameSizeTracker(cap);
        int controlFrames = 0;
        int offset = 0;
        int previous = PASS;
        for (int i = 0; offset < stream.length; i++) {
            // The last read takes the rest; an empty read is allowed.
            int end = i >= reads - 1 ? stream.length : Math.min(stream.length, offset + cuts[i]);
            int verdict = scan(cut, stream, offset, end);
            assertThat(verdict).isIn(PASS, MESSAGE_TOO_BIG, PROTOCOL_ERROR, TOO_MANY_FRAMES)
                    .isEqualTo(cut.verdict());
            if (previous != PASS) {
                assertThat(verdict).as("a refusal stays").isEqualTo(previous);
            }
            previous = verdict;
            controlFrames += cut.takeControlFrames();
            offset = end;
        }
        assertThat(cut.verdict()).isEqualTo(expected.verdict);
        assertThat(controlFrames).isEqualTo(expected.controlFrames);
        assertThat(cut.closeSeen()).isEqualTo(expected.closeSeen);
    }

    /** Scans {@code stream[from, to)} in a buffer with other bytes around it; position and limit must stay. */
    private static int scan(FrameSizeTracker tracker, byte[] stream, int from, int to) {
        byte[] padded = new byte[to - from + 4];
        Arrays.fill(padded, (byte) 0x81);
        System.arraycopy(stream, from, padded, 2, to - from);
        Buffer buffer = Buffers.wrap(MemoryManager.DEFAULT_MEMORY_MANAGER, padded);
        buffer.position(2);
        buffer.limit(2 + to - from);
        int verdict = FrameGuardFilter.scan(tracker, buffer);
        assertThat(buffer.position()).isEqualTo(2);
        assertThat(buffer.limit()).isEqualTo(2 + to - from);
        return verdict;
    }

    /** Frames close to what clients send: opcodes, lengths in every encoding, masks, fragments; some cut short. */
    private static byte[] frames(FuzzedDataProvider data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int count = data.consumeInt(0, 40);
        for (int i = 0; i < count && out.size() < 20_000; i++) {
            boolean fin = data.consumeBoolean();
            int opcode = data.pickValue(List.of(0x0, 0x1, 0x2, 0x8, 0x9, 0xA, data.consumeInt(0, 15)));
            int rsv = data.consumeInt(0, 15) == 0 ? data.consumeInt(0, 7) << 4 : 0;
            boolean masked = data.consumeInt(0, 15) != 0;
            long length = switch (data.consumeInt(0, 5)) {
                case 0 -> data.consumeInt(0, CONTROL_PAYLOAD + 2);
                case 1 -> data.consumeInt(0, 1100);
                case 2 -> data.consumeInt(0, 6000);
                case 3 -> data.consumeLong();
                default -> data.consumeInt(0, 20);
            };
            int encoding = data.consumeInt(0, 3); // 0: shortest; 1: 16-bit; 2: 64-bit; 3: 7-bit bits as they fall
            out.write((fin ? 0x80 : 0) | rsv | opcode);
            int mask = masked ? 0x80 : 0;
            if (encoding == 3 || encoding == 0 && length >= 0 && length < 126) {
                out.write(mask | (int) (encoding == 3 ? length & 0x7F : length));
            } else if (encoding == 1 || encoding == 0 && length >= 0 && length <= 0xFFFF) {
                out.write(mask | 126);
                out.write((int) (length >> 8) & 0xFF);
                out.write((int) length & 0xFF);
            } else {
                out.write(mask | 127);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    out.write((int) (length >> shift) & 0xFF);
                }
            }
            if (masked) {
                out.writeBytes(new byte[] {1, 2, 3, 4});
            }
            long written = data.consumeInt(0, 15) == 0 ? data.consumeInt(0, 200) : length;
            out.writeBytes(new byte[(int) Math.max(0, Math.min(written, 8000))]);
        }
        return out.toByteArray();
    }

    /** What one reading of the whole stream at once finds. */
    private record Expected(int verdict, int controlFrames, boolean closeSeen) {

        static Expected of(byte[] s, int cap) {
            int maxFrames = Math.max(16, cap / 1024 + 1);
            int verdict = PASS;
            int control = 0;
            boolean close = false;
            boolean fragmented = false;
            long messageBytes = 0;
            int messageFrames = 0;
            int at = 0;
            while (s.length - at >= 2) {
                int b0 = s[at] & 0xFF;
                int b1 = s[at + 1] & 0xFF;
                int shortLength = b1 & 0x7F;
                int extended = shortLength == 126 ? 2 : shortLength == 127 ? 8 : 0;
                int headerLength = 2 + extended + ((b1 & 0x80) != 0 ? 4 : 0);
                if (s.length - at < headerLength) {
                    break; // the stream ends inside a header
                }
                long length = extended == 0 ? shortLength : 0;
                for (int i = 0; i < extended; i++) {
                    length = length << 8 | (s[at + 2 + i] & 0xFF);
                }
                int opcode = b0 & 0x0F;
                boolean fin = (b0 & 0x80) != 0;
                if (verdict != PASS) {
                    close |= opcode == 0x8;
                } else if (length < 0 || (b1 & 0x80) == 0) {
                    verdict = PROTOCOL_ERROR;
                } else if (opcode >= 0x8) {
                    if (length > CONTROL_PAYLOAD) {
                        verdict = PROTOCOL_ERROR;
                    } else if (opcode == 0x9 || opcode == 0xA) {
                        control++;
                    } else if (opcode == 0x8) {
                        close = true;
                    }
                } else if ((opcode == 0) != fragmented) {
                    verdict = PROTOCOL_ERROR; // a continuation with no message open, or a new message inside one
                } else {
                    if (opcode != 0) {
                        messageBytes = 0;
                        messageFrames = 0;
                    }
                    if (length > cap - messageBytes) {
                        verdict = MESSAGE_TOO_BIG;
                    } else if (++messageFrames > maxFrames) {
                        verdict = TOO_MANY_FRAMES;
                    } else {
                        messageBytes += length;
                        fragmented = !fin;
                    }
                }
                at += headerLength;
                if (length < 0 || length >= s.length - at) {
                    break; // the rest of the stream is payload
                }
                at += (int) length;
            }
            return new Expected(verdict, control, close);
        }
    }
}
