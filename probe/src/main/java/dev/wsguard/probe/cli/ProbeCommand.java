package dev.wsguard.probe.cli;

import com.nimbusds.jose.util.JSONArrayUtils;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.wsguard.probe.ProbeSuite;
import dev.wsguard.probe.Rate;
import dev.wsguard.probe.Report;
import dev.wsguard.probe.TokenCarrier;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code java -jar wsguard-probe.jar [options] URL}: runs the catalogue against one endpoint, prints a table, writes
 * the JSON and HTML reports asked for, and exits 0 (no finding), 1 (findings) or 2 (usage error, or a control
 * failed so that nothing could be proven).
 */
public final class ProbeCommand {

    static final int OK = 0;
    static final int FINDINGS = 1;
    static final int USAGE = 2;

    private static final String USAGE_TEXT = """
            Usage: java -jar wsguard-probe.jar [options] ws[s]://host[:port]/path

            Audits one WebSocket endpoint with the wsguard attack catalogue. Connects only to the URL given.

            Required:
              --origin ORIGIN              the Origin the endpoint allows (https://app.example.com)
              --token TOKEN | --token-command CMD
                                           a valid token, or a shell command that prints one
            The endpoint:
              --carrier header|subprotocol|query|cookie   where it reads the token (default header)
              --cookie-name NAME           it reads the token from the cookie NAME (implies --carrier cookie;
                                           without it a cookie is named Bearer, as wsguard's default)
              --sample JSON                a message it answers (default {"type":"ping"})
              --low-token T | --low-token-command CMD   a valid token with fewer rights
              --admin-message JSON         a message only an admin may send (sent with the low token)
              --foreign-message JSON       a message reaching another tenant (sent with the valid token)
              --expired-token T | --expired-token-command CMD   an expired token
              --public-key FILE            its verification key (PEM), for the HS256 key-confusion forgeries
              --signing-key FILE           a test issuer's private key it trusts (PKCS#8 PEM), for tokens wrong
                                           in one claim (expiry, nbf, issuer, audience, kid); never a real one
              --bulk-message JSON          a message with a large answer, for the client that stops reading
              --echo-message JSON          a message whose text it sends back (a chat post), for the markup
                                           echo; an array [setup, ..., message] sends the setup messages first
                                           on the same session (a subscribe); default: the sample
              --allow-missing-origin       it accepts requests without Origin on purpose
            Limits to respect (the floods test exactly these):
              --max-message-bytes N        largest message it accepts (default 65536)
              --message-rate N/PERIOD      messages per session, e.g. 50/PT1S
              --handshake-rate N/PERIOD    handshakes per client, e.g. 50/PT10S; every attack stays within it
              --max-connections N          connections one client may hold
              --user-message-rate N/PERIOD messages one user may send across its sessions
              --user-rate-message JSON     the message that rate applies to (default: the sample); an array
                                           [setup, ..., message] as for --echo-message
              --handshake-timeout DURATION how long it lets a handshake take (default PT10S)
              --idle-timeout DURATION      how long it lets a session go without a complete message
            Run:
              --only PREFIX[,PREFIX]       run only these attacks (ids or categories: origin,auth.alg-none)
              --reply-timeout DURATION     wait for one answer (default PT2S)
              --refusal REGEX              what a refusal frame contains (default: error|forbidden|denied|...)
              --insecure                   accept any TLS certificate (a test server's own)
              --json FILE  --html FILE     write the report
              --list                       print the catalogue and exit
              --help
            Exit: 0 no finding, 1 findings, 2 usage error or a failed control.
            """;

    private ProbeCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        ProbeSuite suite;
        Path json = null;
        Path html = null;
        try {
            Deque<String> rest = new ArrayDeque<>(List.of(args));
            ProbeSuite.Builder builder = null;
            Options o = new Options();
            while (!rest.isEmpty()) {
                String arg = rest.removeFirst();
                switch (arg) {
                    case "--help", "-h" -> {
                        out.print(USAGE_TEXT);
                        return OK;
                    }
                    case "--list" -> {
                        ProbeSuite.catalogue().forEach(a -> out.printf(Locale.ROOT, "%-26s %s -> %s%n", a.id(),
                                a.title(), a.expected()));
                        return OK;
                    }
                    case "--json" -> json = Path.of(value(arg, rest));
                    case "--html" -> html = Path.of(value(arg, rest));
                    default -> {
                        if (arg.startsWith("--")) {
                            o.set(arg, value(arg, rest));
                        } else if (o.url != null) {
                            throw new IllegalArgumentException("one URL only; also got " + arg);
                        } else {
                            o.url = arg;
                        }
                    }
                }
            }
            suite = o.suite();
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("wsguard-probe: " + e.getMessage());
            err.println("Try --help.");
            return USAGE;
        }

        out.println("wsguard-probe: auditing " + suite.uri() + " (" + suite.attacks().size() + " attacks)");
        Report report = suite.run(r -> err.printf(Locale.ROOT, "  %-26s %s%n", r.attack().id(), r.verdict()));
        out.print(report.toTable());
        try {
            if (json != null) {
                Files.writeString(json, report.toJson(), StandardCharsets.UTF_8);
            }
            if (html != null) {
                Files.writeString(html, report.toHtml(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            err.println("wsguard-probe: cannot write the report: " + e.getMessage());
            return USAGE;
        }
        if (!report.auditable()) {
            return USAGE;
        }
        return report.hasFindings() ? FINDINGS : OK;
    }

    private static String value(String option, Deque<String> rest) {
        if (option.equals("--allow-missing-origin") || option.equals("--insecure")) {
            return "true";
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return rest.removeFirst();
    }

    /** The options as read, turned into a suite once all are known. */
    private static final class Options {
        String url;
        private final java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
        private static final List<String> KNOWN = List.of("--origin", "--token", "--token-command", "--carrier",
                "--sample", "--low-token", "--low-token-command", "--admin-message", "--foreign-message",
                "--expired-token", "--expired-token-command", "--public-key", "--signing-key", "--bulk-message",
                "--allow-missing-origin", "--max-message-bytes", "--message-rate", "--handshake-rate",
                "--max-connections", "--handshake-timeout", "--only", "--reply-timeout", "--refusal", "--insecure",
                "--cookie-name", "--echo-message", "--user-message-rate", "--user-rate-message", "--idle-timeout");

        void set(String option, String value) {
            if (!KNOWN.contains(option)) {
                throw new IllegalArgumentException("unknown option " + option);
            }
            if (values.put(option, value) != null) {
                throw new IllegalArgumentException(option + " given twice");
            }
        }

        private static String pem(String option, String file) {
            try {
                return Files.readString(Path.of(file), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + option + " " + file + ": " + e.getMessage());
            }
        }

        ProbeSuite suite() {
            if (url == null) {
                throw new IllegalArgumentException("no URL given");
            }
            ProbeSuite.Builder b = ProbeSuite.against(URI.create(url));
            b.origin(required("--origin"));
            b.token(token("--token", "--token-command", true));
            b.lowToken(token("--low-token", "--low-token-command", false));
            b.expiredToken(token("--expired-token", "--expired-token-command", false));
            when("--carrier", v -> b.carrier(carrier(v)));
            when("--cookie-name", v -> {
                if (values.containsKey("--carrier") && carrier(values.get("--carrier")) != TokenCarrier.COOKIE) {
                    throw new IllegalArgumentException("the token cannot be in a cookie and in the "
                            + values.get("--carrier"));
                }
                b.cookieName(v);
            });
            when("--sample", b::sample);
            when("--admin-message", b::adminMessage);
            when("--foreign-message", b::foreignMessage);
            when("--bulk-message", b::bulkMessage);
            when("--echo-message", v -> b.echoMessage(messages(v)));
            if (values.containsKey("--user-rate-message") && !values.containsKey("--user-message-rate")) {
                throw new IllegalArgumentException("--user-rate-message needs --user-message-rate");
            }
            when("--user-message-rate", v -> b.userMessageRate(Rate.parse(v),
                    values.containsKey("--user-rate-message") ? messages(values.get("--user-rate-message"))
                            : new String[0]));
            when("--public-key", v -> b.publicKey(pem("--public-key", v)));
            when("--signing-key", v -> b.signingKey(pem("--signing-key", v)));
            when("--allow-missing-origin", v -> b.missingOriginAllowed(true));
            when("--insecure", v -> b.insecureTls(true));
            when("--max-message-bytes", v -> b.maxMessageBytes(Integer.parseInt(v)));
            when("--message-rate", v -> b.messageRate(Rate.parse(v)));
            when("--handshake-rate", v -> b.handshakeRate(Rate.parse(v)));
            when("--max-connections", v -> b.maxConnections(Integer.parseInt(v)));
            when("--handshake-timeout", v -> b.handshakeTimeout(Duration.parse(v)));
            when("--idle-timeout", v -> b.idleTimeout(Duration.parse(v)));
            when("--reply-timeout", v -> b.replyTimeout(Duration.parse(v)));
            when("--refusal", v -> b.refusal(Pattern.compile(v)));
            when("--only", v -> b.only(v.split(",")));
            return b.build();
        }

        private static TokenCarrier carrier(String name) {
            try {
                return TokenCarrier.valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("expected header, subprotocol, query or cookie, got '" + name + "'");
            }
        }

        /** One JSON object, or an array of them, as the messages' texts in order. */
        private static String[] messages(String json) {
            if (!json.strip().startsWith("[")) {
                return new String[] {json};
            }
            try {
                return JSONArrayUtils.parse(json).stream().map(m -> {
                    if (!(m instanceof java.util.Map<?, ?> object)) {
                        throw new IllegalArgumentException("each message must be a JSON object");
                    }
                    @SuppressWarnings("unchecked")
                    java.util.Map<String, ?> members = (java.util.Map<String, ?>) object;
                    return JSONObjectUtils.toJSONString(members);
                }).toArray(String[]::new);
            } catch (java.text.ParseException e) {
                throw new IllegalArgumentException("not a JSON array of messages: " + e.getMessage());
            }
        }

        private String required(String option) {
            String v = values.get(option);
            if (v == null) {
                throw new IllegalArgumentException(option + " is required");
            }
            return v;
        }

        private void when(String option, java.util.function.Consumer<String> apply) {
            String v = values.get(option);
            if (v != null) {
                try {
                    apply.accept(v);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
                }
            }
        }

        private Supplier<String> token(String literal, String command, boolean required) {
            String value = values.get(literal);
            String cmd = values.get(command);
            if (value != null && cmd != null) {
                throw new IllegalArgumentException(literal + " and " + command + " exclude each other");
            }
            if (value != null) {
                return () -> value;
            }
            if (cmd != null) {
                return () -> printed(cmd);
            }
            if (required) {
                throw new IllegalArgumentException(literal + " or " + command + " is required");
            }
            return null;
        }
    }

    /** What {@code sh -c command} prints, stripped; at most 30 s. */
    static String printed(String command) {
        try {
            Process p = new ProcessBuilder("sh", "-c", command).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            p.getOutputStream().close();
            byte[] output = p.getInputStream().readNBytes(64 * 1024);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("the token command did not end within 30 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("the token command exited with " + p.exitValue());
            }
            return new String(output, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run the token command: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
