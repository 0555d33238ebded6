package dev.wsguard.bench.driver;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code redis-server} of a cluster run: Debian's package (installed with apt-get when missing, which needs
 * root), on a free loopback port, without persistence. It reports how many times it ran each command and how much
 * CPU it used, so that the run can put the store's own work next to the server's.
 */
final class RedisProcess implements AutoCloseable {

    private static final Path PROGRAM = Path.of("/usr/bin/redis-server");
    private static final Pattern CALLS = Pattern.compile("cmdstat_([a-z|_-]+):calls=(\\d+)");

    final int port;
    private final Process process;

    private RedisProcess(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** Installs Redis when missing, starts it with its log in {@code logs}, and waits until it accepts connections. */
    static RedisProcess start(Path logs) throws Exception {
        install();
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path log = logs.resolve("redis.log");
        Process p = new ProcessBuilder(PROGRAM.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", logs.toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        RedisProcess redis = new RedisProcess(port, p);
        for (int i = 0; i < 200; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return redis;
            } catch (IOException notYet) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("redis-server exited; see " + log);
                }
                Thread.sleep(50);
            }
        }
        redis.close();
        throw new IllegalStateException("redis-server did not listen within 10 s; see " + log);
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** CPU time redis-server has used so far (user and system), in microseconds; -1 where unknown. */
    long cpuMicros() {
        return process.toHandle().info().totalCpuDuration().map(d -> d.toNanos() / 1_000).orElse(-1L);
    }

    /**
     * How many times Redis ran each command so far ({@code INFO commandstats}, lower-case names); commands that a Lua
     * script runs count too, under their own names, besides the script's {@code eval}.
     */
    Map<String, Long> calls() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            byte[] info = "*2\r\n$4\r\nINFO\r\n$12\r\ncommandstats\r\n".getBytes(StandardCharsets.US_ASCII);
            s.getOutputStream().write(info);
            DataInputStream in = new DataInputStream(s.getInputStream());
            StringBuilder length = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("Redis closed the connection");
                }
                length.append((char) c);
            }
            byte[] body = new byte[Integer.parseInt(length.toString().trim().substring(1))];
            in.readFully(body);
            Map<String, Long> calls = new HashMap<>();
            Matcher m = CALLS.matcher(new String(body, StandardCharsets.US_ASCII));
            while (m.find()) {
                calls.put(m.group(1), Long.parseLong(m.group(2)));
            }
            return calls;
        }
    }

    /** The calls of {@code commands} between two {@link #calls()} readings. */
    static long delta(Map<String, Long> before, Map<String, Long> after, String... commands) {
        long n = 0;
        for (String c : commands) {
            n += after.getOrDefault(c, 0L) - before.getOrDefault(c, 0L);
        }
        return n;
    }

    private static void install() throws Exception {
        if (Files.isExecutable(PROGRAM)) {
            return;
        }
        Run.log("redis-server is missing: installing Debian's package with apt-get");
        if (!aptGet(List.of("apt-get", "install", "-y", "--no-install-recommends", "redis-server"))
                && !(aptGet(List.of("apt-get", "update"))
                && aptGet(List.of("apt-get", "install", "-y", "--no-install-recommends", "redis-server")))) {
            throw new IllegalStateException("could not install redis-server with apt-get (needs root and the Debian"
                    + " package lists): install it, then run again");
        }
    }

    private static boolean aptGet(List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process p = builder.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }

    @Override
    public void close() {
        ServerProcess.stop(process);
    }
}
