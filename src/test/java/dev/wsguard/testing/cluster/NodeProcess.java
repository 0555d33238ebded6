package dev.wsguard.testing.cluster;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link ClusterNode} started in a separate JVM on this test's class path; its output lines are kept. */
public final class NodeProcess implements AutoCloseable {

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());
    private final PrintWriter commands;
    private final int port;

    private NodeProcess(Map<String, String> properties) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ClusterNode.class.getName());
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    all.add(line);
                    lines.add(line);
                }
            } catch (Exception e) {
                // the node is gone
            }
        }, "node-output");
        reader.setDaemon(true);
        reader.start();
        String ready = expect("READY ", 60);
        port = Integer.parseInt(ready.substring("READY ".length()).trim());
    }

    /** Starts a node with these system properties and waits for it to listen. */
    public static NodeProcess start(Map<String, String> properties) throws Exception {
        return new NodeProcess(properties);
    }

    public URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    /** The node's process id (part of its name in a shared store, {@code CLIENT LIST} on Redis). */
    public long pid() {
        return process.pid();
    }

    /** Suspends ({@code SIGSTOP}) or resumes ({@code SIGCONT}) the node's JVM, as a stall would. */
    public void suspend(boolean stop) throws Exception {
        Process signal = new ProcessBuilder("kill", stop ? "-STOP" : "-CONT", Long.toString(process.pid()))
                .inheritIO().start();
        if (!signal.waitFor(10, TimeUnit.SECONDS) || signal.exitValue() != 0) {
            throw new IllegalStateException("kill " + (stop ? "-STOP " : "-CONT ") + process.pid() + " failed");
        }
    }

    /** Sends a command line to the node. */
    public void command(String line) {
        commands.println(line);
    }

    /** The next output line starting with {@code prefix}, skipping others; fails after {@code seconds}. */
    public String expect(String prefix, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("node printed no line starting with '" + prefix + "' within " + seconds
                        + " s; it printed:\n" + String.join("\n", output()));
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** Everything the node printed so far. */
    public List<String> output() {
        synchronized (all) {
            return new ArrayList<>(all);
        }
    }

    /** Kills the JVM at once: no close, no clean-up (a crashed node). */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        commands.close();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            kill();
        }
    }
}
