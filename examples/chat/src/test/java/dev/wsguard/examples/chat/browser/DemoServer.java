package dev.wsguard.examples.chat.browser;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example's shaded jar started exactly as the README's run command starts it ({@code java -jar}), with extra
 * system properties. Knows its chat URL and, in dev mode, its demo page and dev endpoints.
 */
final class DemoServer implements AutoCloseable {

    private static final Pattern READY = Pattern.compile(
            "wsguard chat ready: (ws://127\\.0\\.0\\.1:(\\d+)/chat)( \\(demo page (http://127\\.0\\.0\\.1:\\d+/)\\))?");
    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    final URI chat;
    /** The demo page's URL in dev mode, else null. */
    final String page;
    final String origin;

    private DemoServer(Process process, URI chat, String page) {
        this.process = process;
        this.chat = chat;
        this.page = page;
        this.origin = "http://127.0.0.1:" + chat.getPort();
    }

    /** Lifetime of the shared server's tokens: short, so that in-band refresh happens within a test. */
    static final String SHARED_TOKEN_LIFETIME = "PT10S";

    private static DemoServer shared;

    /**
     * The run's dev-mode server with its default settings (tokens living {@value #SHARED_TOKEN_LIFETIME}), started on
     * first use and stopped when the test JVM exits. Tests run one at a time; each waits for the events it causes
     * after a {@link #lastEventSeq()} mark, so earlier tests' traffic does not matter.
     */
    static synchronized DemoServer shared() throws Exception {
        if (shared == null) {
            DemoServer server = start("wsguard.dev.token-lifetime=" + SHARED_TOKEN_LIFETIME);
            Runtime.getRuntime().addShutdownHook(new Thread(server.process::destroy, "demo-server-stop"));
            shared = server;
        }
        return shared;
    }

    /**
     * Starts the jar with {@code -Dname=value} arguments and waits for its ready line (30 s at most). In dev mode the
     * line names the demo page ({@link #page}); otherwise {@link #page} is null.
     */
    static DemoServer start(String... properties) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dwsguard.port=0"));
        for (String property : properties) {
            command.add("-D" + property);
        }
        command.addAll(List.of("-jar", Path.of("target", "wsguard-chat.jar").toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String line;
        while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
            seen.add(line);
            Matcher m = READY.matcher(line);
            if (m.find()) {
                DemoServer server = new DemoServer(process, URI.create(m.group(1)), m.group(4));
                server.output.addAll(seen);
                Thread drain = new Thread(() -> out.lines().forEach(server.output::add), "demo-server-output");
                drain.setDaemon(true);
                drain.start();
                return server;
            }
        }
        process.destroyForcibly();
        throw new AssertionError("no ready line within 30 s; output: " + seen);
    }

    /** {@link #start(String...)} on another thread, so that a test needing two servers waits for one start only. */
    static CompletableFuture<DemoServer> startAsync(String... properties) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return start(properties);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
    }

    /** A fresh dev token for a demo user, fetched as any client (or an attacker) could. */
    String token(String user) throws Exception {
        HttpResponse<String> response = get("/dev/token?user=" + user);
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body().trim();
    }

    /** The raw JSON of {@code /dev/events?after=mark}: the kept events newer than the mark. */
    String eventsAfter(long mark) throws Exception {
        HttpResponse<String> response = get("/dev/events?after=" + mark);
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The sequence number of the newest security event so far (0 for none): a mark to wait for newer ones. */
    long lastEventSeq() throws Exception {
        long last = 0;
        Matcher m = SEQ.matcher(eventsAfter(0));
        while (m.find()) {
            last = Math.max(last, Long.parseLong(m.group(1)));
        }
        return last;
    }

    HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(origin + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Everything the server printed so far (its log). */
    List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
