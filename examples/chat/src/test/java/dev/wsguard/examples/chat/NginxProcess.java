package dev.wsguard.examples.chat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's nginx running the committed {@code server-config/nginx/wsguard.conf} in the foreground, with its pid,
 * logs and temp files in a directory of its own and free ports on 127.0.0.1. The committed file is used as an
 * operator would: only its {@code @PLACEHOLDER@}s (and the log directory) are filled in.
 */
final class NginxProcess implements AutoCloseable {

    /** The committed config, relative to examples/chat (the tests' working directory). */
    static final Path COMMITTED = Path.of("..", "..", "server-config", "nginx", "wsguard.conf");

    private static final Pattern PLACEHOLDER = Pattern.compile("@[A-Z_]+@");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final int ATTEMPTS = 3;

    private final Process process;
    private final Path dir;
    final int httpsPort;
    final int httpPort;

    private NginxProcess(Process process, Path dir, int httpsPort, int httpPort) {
        this.process = process;
        this.dir = dir;
        this.httpsPort = httpsPort;
        this.httpPort = httpPort;
    }

    /** The committed config's text. */
    static String committed() throws IOException {
        if (!Files.isRegularFile(COMMITTED)) {
            throw new AssertionError(COMMITTED.toAbsolutePath().normalize() + " is missing");
        }
        return Files.readString(COMMITTED);
    }

    /**
     * Starts nginx on {@code site} (the committed text or a variant of it) proxying to {@code upstream}.
     *
     * @param dir an empty directory for this instance
     */
    static NginxProcess start(Path nginx, Path dir, String site, String upstream, Path certificate, Path key)
            throws Exception {
        AssertionError last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            // A port found free can be taken by someone else before nginx binds it: then try fresh ones.
            int https = freePort();
            int http = freePort();
            String rendered = render(site, Map.of("@SERVER_NAME@", "localhost",
                    "@HTTPS_LISTEN@", "127.0.0.1:" + https, "@HTTP_LISTEN@", "127.0.0.1:" + http,
                    "@TLS_CERTIFICATE@", certificate.toString(), "@TLS_CERTIFICATE_KEY@", key.toString(),
                    "@UPSTREAM@", upstream), dir);
            Files.writeString(dir.resolve("wsguard.conf"), rendered);
            Files.writeString(dir.resolve("nginx.conf"), mainConfig(dir));
            Files.deleteIfExists(dir.resolve("error.log"));
            Process p = new ProcessBuilder(nginx.toString(), "-p", dir.toString(), "-e",
                    dir.resolve("error.log").toString(), "-c", dir.resolve("nginx.conf").toString(), "-g",
                    "daemon off;").redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile())
                    .start();
            NginxProcess started = new NginxProcess(p, dir, https, http);
            try {
                started.awaitListening();
                return started;
            } catch (AssertionError e) {
                started.close();
                last = e;
            }
        }
        throw last;
    }

    /** Fills in the placeholders; fails if the committed file has one the test does not know. */
    static String render(String site, Map<String, String> values, Path dir) {
        String out = site;
        for (Map.Entry<String, String> e : values.entrySet()) {
            out = out.replace(e.getKey(), e.getValue());
        }
        Matcher left = PLACEHOLDER.matcher(out);
        if (left.find()) {
            throw new AssertionError("placeholder " + left.group() + " in " + COMMITTED + " is not filled in by"
                    + " the test");
        }
        return out.replace("/var/log/nginx/", dir + "/");
    }

    /** What Debian's /etc/nginx/nginx.conf provides around conf.d, with every path in {@code dir}. */
    private static String mainConfig(Path dir) {
        return String.join("\n",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("error.log") + " info;",
                "worker_processes 1;",
                "events { worker_connections 512; }",
                "http {",
                "    client_body_temp_path " + dir.resolve("client_body") + ";",
                "    proxy_temp_path " + dir.resolve("proxy") + ";",
                "    fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
                "    uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
                "    scgi_temp_path " + dir.resolve("scgi") + ";",
                "    access_log " + dir.resolve("access.log") + ";",
                // Debian's defaults, which the committed server block must override.
                "    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;",
                "    ssl_prefer_server_ciphers on;",
                "    include " + dir.resolve("wsguard.conf") + ";",
                "}", "");
    }

    private void awaitListening() throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("nginx exited with " + process.exitValue() + ": " + log());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", httpsPort), 1000);
                return;
            } catch (IOException notYet) {
                // nginx binds its listeners before it forks its worker; the master may still be reading config.
                process.waitFor(50, TimeUnit.MILLISECONDS);
            }
        }
        throw new AssertionError("nginx did not listen within " + START_TIMEOUT + ": " + log());
    }

    /** nginx's error log and output, for failure messages. */
    String log() throws IOException {
        StringBuilder out = new StringBuilder();
        for (String name : List.of("stdout.log", "error.log")) {
            Path file = dir.resolve(name);
            if (Files.exists(file)) {
                out.append('\n').append(name).append(":\n").append(Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        return out.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        // SIGTERM: nginx's fast shutdown, the master takes its worker down with it.
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
