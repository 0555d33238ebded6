package dev.wsguard.bench.driver;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A server under load in its own JVM: started, its port read from its output, its heap measured with jcmd. */
final class ServerProcess implements AutoCloseable {

    private static final Pattern PORT = Pattern.compile("(?:ws|http)://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern TOTAL = Pattern.compile("(?m)^Total\\s+(\\d+)\\s+(\\d+)");

    final String name;
    final int port;
    private final Process process;

    private ServerProcess(String name, Process process, int port) {
        this.name = name;
        this.process = process;
        this.port = port;
    }

    /** Starts {@code command}, copying its output to {@code log}, and waits for the line naming its port. */
    static ServerProcess start(String name, List<String> command, Path log) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter w = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
                for (String line; (line = r.readLine()) != null; ) {
                    w.println(line);
                    Matcher m = PORT.matcher(line);
                    if (!port.isDone() && (line.startsWith("ready ") || line.contains("Listening on")) && m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IllegalStateException(name + " exited before it was ready; see " + log));
        }, name + "-output");
        pump.setDaemon(true);
        pump.start();
        try {
            return new ServerProcess(name, p, port.get(120, TimeUnit.SECONDS));
        } catch (Exception e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** Heap in use after two full collections, in bytes, as the server's JVM reports it. */
    /** The server JVM's process id, for jcmd and profilers. */
    long pid() {
        return process.pid();
    }

    /** CPU time the server process has used so far (user and system), in microseconds; -1 where unknown. */
    long cpuMicros() {
        return process.toHandle().info().totalCpuDuration().map(d -> d.toNanos() / 1_000).orElse(-1L);
    }

    /**
     * Bytes of live objects after a full GC: the total of a class histogram, which counts exactly the objects that
     * survive (the heap's "used" figure also counts partly filled regions and moves by megabytes from run to run).
     */
    long heapAfterGc() throws Exception {
        jcmd("GC.run");
        Matcher m = TOTAL.matcher(jcmd("GC.class_histogram"));
        if (!m.find()) {
            throw new IllegalStateException("no class histogram total from jcmd for " + name);
        }
        return Long.parseLong(m.group(2));
    }

    private String jcmd(String command) throws Exception {
        Process j = new ProcessBuilder("jcmd", Long.toString(process.pid()), command).redirectErrorStream(true)
                .start();
        String out = new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (j.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + command + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() {
        stop(process);
    }

    /** Asks {@code process} to exit, and kills it when it has not within 10 s. */
    static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
