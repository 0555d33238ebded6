package dev.wsguard.testing.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code redis-server} (Debian package, installed with apt-get when missing) on a free loopback port of
 * 42000–42999, in a temporary directory, without persistence. It can be stopped and started again on the same port
 * to simulate an outage. Never skips: a test that cannot get Redis fails and says why.
 */
public final class RedisServer implements AutoCloseable {

    private static final Path PROGRAM = Path.of("/usr/bin/redis-server");
    private static final Pattern CALLS = Pattern.compile("cmdstat_([a-z|_-]+):calls=(\\d+)");

    private final int port;
    private final Path dir;
    private Process process;

    private RedisServer(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    /** Installs Redis when missing and starts it. */
    public static RedisServer start() throws Exception {
        ensureInstalled();
        RedisServer server = new RedisServer(freePort(), Files.createTempDirectory("wsguard-redis"));
        server.startAgain();
        return server;
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the server (again) on its port and waits until it accepts connections. */
    public synchronized void startAgain() throws Exception {
        process = new ProcessBuilder(PROGRAM.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("redis-server exited: " + Files.readString(dir.resolve(
                            "redis.log")));
                }
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not listen on " + port + " within 10 s");
    }

    /**
     * How many times Redis ran {@code command} (lower case), from {@code INFO commandstats}; commands run inside Lua
     * scripts count too.
     */
    public long calls(String command) throws IOException {
        return calls().getOrDefault(command, 0L);
    }

    /**
     * How many times Redis has run each command so far, by lower-case name ({@code INFO commandstats}); commands that a
     * Lua script runs count too, under their own names, besides the script's {@code eval}.
     */
    public Map<String, Long> calls() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("*2\r\n$4\r\nINFO\r\n$12\r\ncommandstats\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            StringBuilder header = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("Redis closed the connection");
                }
                header.append((char) c);
            }
            byte[] body = new byte[Integer.parseInt(header.toString().trim().substring(1))];
            in.readFully(body);
            Map<String, Long> calls = new HashMap<>();
            Matcher m = CALLS.matcher(new String(body, StandardCharsets.US_ASCII));
            while (m.find()) {
                calls.put(m.group(1), Long.parseLong(m.group(2)));
            }
            return calls;
        }
    }

    /** CPU time the running server has used so far (user and system), in microseconds; -1 where unknown. */
    public synchronized long cpuMicros() {
        return process == null ? -1
                : process.toHandle().info().totalCpuDuration().map(d -> d.toNanos() / 1_000).orElse(-1L);
    }

    /**
     * Runs one command and returns its reply: a String (simple or bulk), a Long, a List of replies, or null.
     *
     * @throws IllegalStateException when Redis answers with an error
     */
    public Object command(String... args) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg)
                        .append("\r\n");
            }
            s.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
            return reply(new java.io.DataInputStream(new java.io.BufferedInputStream(s.getInputStream())));
        }
    }

    private static Object reply(java.io.DataInputStream in) throws IOException {
        int type = in.read();
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\r'; c = in.read()) {
            line.append((char) c);
        }
        in.read();
        return switch (type) {
            case '+' -> line.toString();
            case '-' -> throw new IllegalStateException("Redis: " + line);
            case ':' -> Long.parseLong(line.toString());
            case '$' -> {
                int length = Integer.parseInt(line.toString());
                if (length < 0) {
                    yield null;
                }
                byte[] body = new byte[length + 2];
                in.readFully(body);
                yield new String(body, 0, length, StandardCharsets.UTF_8);
            }
            case '*' -> {
                List<Object> items = new java.util.ArrayList<>();
                for (int i = Integer.parseInt(line.toString()); i > 0; i--) {
                    items.add(reply(in));
                }
                yield items;
            }
            default -> throw new IllegalStateException("unexpected Redis reply type " + (char) type);
        };
    }

    /** Kills the server (its data is lost, as in a crash of a server without persistence). */
    public synchronized void stop() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static int freePort() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int candidate = 42000 + (int) (Math.random() * 1000);
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress("127.0.0.1", candidate));
                return candidate;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port in 42000-42999");
    }

    private static synchronized void ensureInstalled() throws Exception {
        if (Files.isExecutable(PROGRAM)) {
            return;
        }
        if (!aptGet(List.of("apt-get", "install", "-y", "--no-install-recommends", "redis-server"))
                && !(aptGet(List.of("apt-get", "update"))
                && aptGet(List.of("apt-get", "install", "-y", "--no-install-recommends", "redis-server")))) {
            throw new IllegalStateException("could not install redis-server with apt-get (needs root and the Debian"
                    + " package lists); install it by hand: the cluster tests need a real Redis");
        }
        if (!Files.isExecutable(PROGRAM)) {
            throw new IllegalStateException(PROGRAM + " still missing after installing redis-server");
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
}
