package dev.wsguard.examples.chat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The example jar in a JVM of its own, launched as outside checks launch it ({@code java -D... -jar
 * target/wsguard-chat.jar}). Every line it prints (stdout and stderr, so the audit log too) is kept and can be
 * awaited.
 */
final class ChatProcess implements AutoCloseable {

    /** The launch contract's ready line: it contains the endpoint URL. */
    private static final Pattern READY = Pattern.compile("(wss?://127\\.0\\.0\\.1:\\d+/chat)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private boolean ended;

    private ChatProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(this::read, "chat-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts the jar with {@code systemProperties} (each {@code name=value}) and waits for its ready line.
     *
     * @throws AssertionError when it exits or stays silent instead
     */
    static ChatProcess start(String... systemProperties) throws Exception {
        Path jar = Path.of("target", "wsguard-chat.jar");
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(jar.toAbsolutePath() + " is missing: run 'package' first");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        for (String property : systemProperties) {
            command.add("-D" + property);
        }
        command.addAll(List.of("-jar", jar.toString()));
        ChatProcess chat = new ChatProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
        try {
            chat.uri();
        } catch (AssertionError e) {
            chat.close();
            throw e;
        }
        return chat;
    }

    /** The endpoint URL from the ready line. */
    URI uri() throws InterruptedException {
        Matcher m = READY.matcher(awaitLine(l -> READY.matcher(l).find(), START_TIMEOUT));
        m.find();
        return URI.create(m.group(1));
    }

    /**
     * The first line, already printed or still to come, that matches.
     *
     * @throws AssertionError when none comes within {@code timeout} or the process ends first
     */
    String awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            int checked = 0;
            while (true) {
                for (; checked < lines.size(); checked++) {
                    if (match.test(lines.get(checked))) {
                        return lines.get(checked);
                    }
                }
                long left = deadline - System.nanoTime();
                if (ended || left <= 0) {
                    throw new AssertionError((ended ? "the chat server ended" : "no such line within " + timeout)
                            + "; it printed:\n" + String.join("\n", lines));
                }
                lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** The first line printed so far that matches. */
    Optional<String> line(Predicate<String> match) {
        synchronized (lines) {
            return lines.stream().filter(match).findFirst();
        }
    }

    private void read() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (java.io.IOException e) {
            // The process was destroyed while printing: what it printed so far is kept.
        } finally {
            synchronized (lines) {
                ended = true;
                lines.notifyAll();
            }
        }
    }

    /** Kills the process at once (SIGKILL), as a crash or an OOM killer would: nothing of it runs any more. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
