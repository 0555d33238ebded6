package dev.wsguard.contract;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The state of a TCP socket on this machine, read from Linux's {@code /proc/net/tcp} and {@code tcp6}: the servers
 * under test run here, so the server's end of a test connection is listed too. A server that closes a connection
 * whose client reads nothing leaves its end in {@code FIN_WAIT1} (the FIN waits behind the unsent data), while one
 * that only queued a close frame keeps it {@code ESTABLISHED}: the one way to tell them apart from outside.
 */
final class TcpStates {

    static final String ESTABLISHED = "01";

    private TcpStates() {
    }

    /**
     * The state (two hex digits, as the kernel lists it) of the socket bound to {@code localPort} and connected to
     * {@code remotePort}, or null when there is none (closed and gone).
     */
    static String of(int localPort, int remotePort) throws IOException {
        String local = ":" + String.format(Locale.ROOT, "%04X", localPort);
        String remote = ":" + String.format(Locale.ROOT, "%04X", remotePort);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.isReadable(path)) {
                continue;
            }
            for (String line : Files.readAllLines(path)) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 3 && fields[1].endsWith(local) && fields[2].endsWith(remote)) {
                    return fields[3];
                }
            }
        }
        return null;
    }
}
