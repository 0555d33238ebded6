package dev.wsguard.bench.driver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Collects the figures of a run and renders bench/RESULTS.md: header, targets, JMH, load, memory, fairness. */
final class Report {

    static final String MEMORY_OWN = "each its own user's token";
    static final String MEMORY_SHARED = "one shared token";

    private final boolean quick;
    private final String note;
    private final String started = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern(
            "yyyy-MM-dd HH:mm 'UTC'"));
    private final String loadAtStart = loadAverage();
    private final Map<String, Map<String, Map<String, Figure>>> sections = new LinkedHashMap<>();
    private final Map<String, Long> state = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final List<String[]> jmh = new ArrayList<>();

    Report(boolean quick, String note) {
        this.quick = quick;
        this.note = note;
    }

    void add(String section, String target, String metric, String unit, double value) {
        sections.computeIfAbsent(section, s -> new LinkedHashMap<>()).computeIfAbsent(target, t -> new LinkedHashMap<>())
                .computeIfAbsent(metric, m -> new Figure(unit)).add(value);
    }

    /** As {@link #add}, unless {@code warm}: a warm-up round's figures are not reported. */
    void add(boolean warm, String section, String target, String metric, String unit, double value) {
        if (!warm) {
            add(section, target, metric, unit, value);
        }
    }

    void state(String name, long value) {
        state.put(name, value);
    }

    void note(String line) {
        notes.add(line);
    }

    /** The CSV JMH writes with {@code -rf csv}. */
    void jmh(List<String> csv) {
        for (String line : csv.subList(Math.min(1, csv.size()), csv.size())) {
            List<String> cells = new ArrayList<>();
            for (String c : line.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")) {
                cells.add(c.replace("\"", ""));
            }
            if (cells.size() >= 7) {
                jmh.add(cells.toArray(String[]::new));
            }
        }
    }

    private Figure fig(String section, String target, String metric) {
        return sections.getOrDefault(section, Map.of()).getOrDefault(target, Map.of()).get(metric);
    }

    /** Per-round ratios a/b (the two were measured in the same round, one right after the other). */
    /** The label of the standard-shape guarded endpoint's figures. */
    static final String STANDARD = "wsguard, standard endpoint";
    /** The labels of the unguarded endpoints on GuardedServer's transport. */
    static final String SAME_TRANSPORT = "plain Tyrus on GuardedServer's transport";
    /** Plain Tyrus, its endpoint with an {@code @OnOpen} (memory only). */
    static final String PLAIN_ON_OPEN = "plain Tyrus, endpoint with @OnOpen";
    static final String SAME_TRANSPORT_VERIFY = "plain Tyrus on GuardedServer's transport + bare RS256 verify";

    private Figure ratio(String section, String a, String b, String metric) {
        return perRound(fig(section, a, metric), fig(section, b, metric));
    }

    /** {@code a / b} round by round (empty when either is missing). */
    private static Figure perRound(Figure a, Figure b) {
        Figure r = new Figure("ratio");
        if (a != null && b != null) {
            for (int i = 0; i < Math.min(a.samples.size(), b.samples.size()); i++) {
                r.add(a.samples.get(i) / b.samples.get(i));
            }
        }
        return r;
    }

    private Figure difference(String section, String a, String b, String metric) {
        Figure fa = fig(section, a, metric);
        Figure fb = fig(section, b, metric);
        Figure r = new Figure("B");
        if (fa != null && fb != null) {
            for (int i = 0; i < Math.min(fa.samples.size(), fb.samples.size()); i++) {
                r.add(fa.samples.get(i) - fb.samples.get(i));
            }
        }
        return r;
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        header(md, "wsguard benchmark results", "a warm-up round, not reported, then 3 rounds; targets alternated"
                + " within each round");
        md.append("\n## Targets\n\n| target | measured | goal | met |\n|---|---|---|---|\n");
        for (int c : new int[] {1, 10, 100}) {
            Figure r = ratio("throughput", "wsguard", "plain Tyrus", c + " connections");
            target(md, "guarded message throughput, " + c + " connections, vs plain Tyrus (same JSON-B decoding)",
                    pct(r), "≥ 95 %", r.median() >= 0.95);
        }
        for (int c : new int[] {10, 100}) {
            Figure r = ratio("throughput", STANDARD, "plain Tyrus", c + " connections");
            if (!r.samples.isEmpty()) {
                target(md, "the same, standard shape (plain `@OnMessage`, wsguard's strict decoder, deployed wrapped), "
                        + c + " connections", pct(r), "≥ 95 %", r.median() >= 0.95);
            }
        }
        // At 1 connection too: there the rate swings most between runs, and the CPU per message says whether the
        // guard or the machine moved it.
        for (int c : new int[] {1, 10, 100}) {
            Figure r = ratio("cpu", "plain Tyrus", "wsguard", c + " connections");
            if (!r.samples.isEmpty()) {
                target(md, "(supporting) server CPU per message, " + c + " connections: plain Tyrus's as a share of"
                        + " wsguard's", pct(r), "≥ 95 %", r.median() >= 0.95);
            }
        }
        for (String mode : new String[] {"8-way", "sequential"}) {
            Figure r = ratio("handshakes", "wsguard, token cache off", "plain Tyrus + bare RS256 verify", mode);
            target(md, "guarded handshakes/s, " + mode + ", every token verified, vs plain Tyrus + one bare RS256"
                    + " verification", pct(r), "≥ 95 %", r.median() >= 0.95);
        }
        for (String mode : new String[] {"8-way", "sequential"}) {
            Figure r = ratio("handshakes", "wsguard", "plain Tyrus", mode);
            target(md, "guarded handshakes/s, " + mode + ", token already verified (cache), vs plain Tyrus", pct(r),
                    "≥ 90 %", r.median() >= 0.90);
        }
        // What the guard alone costs: the same endpoints unguarded on GuardedServer's own transport (listener,
        // filter, selector threads), so a transport setting that helps both does not count as the guard's.
        for (int c : new int[] {1, 10, 100}) {
            Figure r = ratio("throughput", "wsguard", SAME_TRANSPORT, c + " connections");
            if (!r.samples.isEmpty()) {
                target(md, "(supporting) the guard alone: message throughput, " + c + " connections, vs the same"
                        + " endpoint unguarded on GuardedServer's transport", pct(r), "≥ 95 %", r.median() >= 0.95);
            }
        }
        Figure gv = ratio("handshakes", "wsguard, token cache off", SAME_TRANSPORT_VERIFY, "8-way");
        if (!gv.samples.isEmpty()) {
            target(md, "(supporting) the guard alone: handshakes/s, 8-way, every token verified, vs GuardedServer's"
                    + " transport unguarded + one bare RS256 verification", pct(gv), "≥ 95 %", gv.median() >= 0.95);
            Figure gc = ratio("handshakes", "wsguard", SAME_TRANSPORT, "8-way");
            target(md, "(supporting) the guard alone: handshakes/s, 8-way, token already verified, vs GuardedServer's"
                    + " transport unguarded", pct(gc), "≥ 90 %", gc.median() >= 0.90);
        }
        Figure hv = ratio("handshake cpu", "plain Tyrus + bare RS256 verify", "wsguard, token cache off", "8-way");
        if (!hv.samples.isEmpty()) {
            target(md, "(supporting) server CPU per handshake, 8-way, every token verified: plain Tyrus + bare RS256"
                    + " verification's as a share of wsguard's", pct(hv), "≥ 95 %", hv.median() >= 0.95);
            Figure hc = ratio("handshake cpu", "plain Tyrus", "wsguard", "8-way");
            target(md, "(supporting) server CPU per handshake, 8-way, token already verified: plain Tyrus's as a"
                    + " share of wsguard's", pct(hc), "≥ 90 %", hc.median() >= 0.90);
        }
        Figure book = difference("memory", "wsguard", "plain Tyrus", MEMORY_SHARED);
        target(md, "guard state per idle connection (wsguard − plain Tyrus, same upgrade request): the guard's"
                + " bookkeeping (one token shared by all connections)", bytes(book), "≤ 1 KiB", book.median() <= 1024);
        Figure mem = difference("memory", "wsguard", "plain Tyrus", MEMORY_OWN);
        target(md, "the same with each connection its own user: bookkeeping plus the verified identity (the claims"
                + " `WsGuard.identity` returns) and its token-cache entry", bytes(mem), "≤ 1 KiB",
                mem.median() <= 1024);
        Figure memOpen = difference("memory", "wsguard", PLAIN_ON_OPEN, MEMORY_OWN);
        if (!memOpen.samples.isEmpty()) {
            Figure tyrusOpen = difference("memory", PLAIN_ON_OPEN, "plain Tyrus", MEMORY_OWN);
            target(md, "(supporting) the same against plain Tyrus whose endpoint has an `@OnOpen`: Tyrus then creates"
                    + " the endpoint's instance and its per-session instance map at the open, as it does for wsguard's"
                    + " adapter (" + bytes(tyrusOpen) + " over plain Tyrus's own endpoint, which gets them only with a"
                    + " first message)", bytes(memOpen), "≤ 1 KiB", memOpen.median() <= 1024);
        }
        if (state.containsKey("limiter.bytes")) {
            target(md, "per-key limiter state after " + String.format(Locale.ROOT, "%,d", state.get("limiter.keys"))
                            + " distinct users (cap " + String.format(Locale.ROOT, "%,d", state.get("limiter.cap"))
                            + ")", mib(state.get("limiter.bytes")) + " for " + String.format(Locale.ROOT, "%,d",
                            state.get("limiter.tracked")) + " keys tracked (" + String.format(Locale.ROOT, "%,d",
                            state.get("limiter.bytes") / Math.max(1, state.get("limiter.tracked"))) + " B each)",
                    "bounded", state.get("limiter.tracked") <= state.get("limiter.cap"));
            target(md, "verified-token cache after " + String.format(Locale.ROOT, "%,d", state.get("cache.tokens"))
                            + " distinct tokens (cap " + String.format(Locale.ROOT, "%,d", state.get("cache.cap"))
                            + ")", mib(state.get("cache.bytes")) + " for " + String.format(Locale.ROOT, "%,d",
                            state.get("cache.size")) + " entries (" + String.format(Locale.ROOT, "%,d",
                            state.get("cache.bytes") / Math.max(1, state.get("cache.size"))) + " B each)",
                    "bounded", state.get("cache.size") <= state.get("cache.cap"));
        }
        Figure flood = fig("fairness", "wsguard, default limits", "with flood p99");
        Figure calm = fig("fairness", "wsguard, default limits", "no flood p99");
        if (flood != null && calm != null) {
            Figure fr = perRound(flood, calm);
            Figure lost = fig("fairness", "wsguard, default limits", "with flood lost");
            target(md, "well-behaved clients' p99 under a flood vs without (100 clients at 10 msg/s)",
                    Figure.num(fr.median()) + "x " + spread(fr), "≤ 2x", fr.median() <= 2.0);
            target(md, "messages of well-behaved clients lost under the flood", lost.show(), "0", lost.max() == 0);
            Figure elsewhere = fig("fairness", "wsguard, default limits", "flood elsewhere p99");
            if (elsewhere != null) {
                Figure control = perRound(elsewhere, calm);
                // Not a goal of its own: where the flood sent elsewhere lengthens the tail as much or more, what
                // the row above measures is the flood's cost to the machine, not the guard's handling of it.
                target(md, "(supporting) the control: the same p99 ratio with the same flood sent to plain Tyrus "
                        + "instead (the guarded server never sees the flood)",
                        Figure.num(control.median()) + "x " + spread(control),
                        "≥ the row above's: then the tail is the machine's", control.median() >= fr.median());
            }
        }

        peer(md);

        if (!jmh.isEmpty()) {
            md.append("\n## JMH: each check and the pipelines (ns/op, ± 99.9 % error)\n\n");
            md.append("| benchmark | ns/op | error |\n|---|---:|---:|\n");
            for (String[] row : jmh) {
                String name = row[0].substring(row[0].lastIndexOf('.', row[0].lastIndexOf('.') - 1) + 1);
                md.append("| ").append(name).append(" | ").append(Figure.num(Double.parseDouble(row[4])))
                        .append(" | ± ").append(Figure.num(Double.parseDouble(row[5]))).append(" |\n");
            }
        }

        figures(md);
        if (!state.isEmpty()) {
            md.append("\n## Per-key state (separate JVM)\n\n| figure | value |\n|---|---:|\n");
            state.forEach((k, v) -> md.append("| ").append(k).append(" | ")
                    .append(String.format(Locale.ROOT, "%,d", v)).append(" |\n"));
        }
        return md.toString();
    }

    /**
     * The table of {@code bench/run --cluster}: every figure of each shared store as a ratio to the local store's,
     * measured in the same round, then the figures themselves.
     *
     * @param local  the label of the local store's target
     * @param shared the labels of the shared stores' targets
     */
    String clusterMarkdown(String local, List<String> shared) {
        StringBuilder md = new StringBuilder();
        header(md, "wsguard benchmark results: cluster stores", "a warm-up round, not reported, then 3 rounds;"
                + " stores alternated within each round");
        md.append("\n## Shared store / local store (same server, same load, measured back to back)\n\n");
        md.append("| figure |");
        shared.forEach(s -> md.append(' ').append(s).append(" |"));
        md.append("\n|---|").append("---:|".repeat(shared.size())).append('\n');
        String[][] rows = {{"throughput", "10 connections", "messages/s, 10 connections"},
                {"throughput", "100 connections", "messages/s, 100 connections"},
                {"handshakes", "8-way", "handshakes/s, 8-way"},
                {"cpu", "10 connections", "server CPU per message, 10 connections"},
                {"cpu", "100 connections", "server CPU per message, 100 connections"},
                {"handshake cpu", "8-way", "server CPU per handshake, 8-way"},
                {"server and store cpu", "100 connections", "server and store CPU per message, 100 connections"},
                {"server and store cpu", "8-way handshakes", "server and store CPU per handshake, 8-way"}};
        for (String[] row : rows) {
            md.append("| ").append(row[2]).append(" |");
            for (String s : shared) {
                Figure r = ratio(row[0], s, local, row[1]);
                md.append(' ').append(r.samples.isEmpty() ? "" : pct(r)).append(" |");
            }
            md.append('\n');
        }
        figures(md);
        return md.toString();
    }

    /** Title, machine, load average, mode and notes: what every table of a run opens with. */
    private void header(StringBuilder md, String title, String rounds) {
        md.append("# ").append(title).append("\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| date | ").append(started).append(" |\n");
        md.append("| JDK | ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(" |\n");
        md.append("| cores | ").append(Runtime.getRuntime().availableProcessors()).append(" |\n");
        md.append("| OS | ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch"))
                .append(" |\n");
        md.append("| load average (1/5/15 min) at start / end | ").append(loadAtStart).append(" / ")
                .append(loadAverage()).append(" |\n");
        md.append("| mode | ").append(quick ? "`--quick` (1 round, short runs: a smoke test, not figures to quote)"
                : "full (" + rounds + ")").append(" |\n");
        if (note != null && !note.isBlank()) {
            md.append("| note | ").append(note).append(" |\n");
        }
        md.append("\nFigures are medians over the rounds, with the spread (min–max) in parentheses; ratios are taken"
                + " per round (A and B measured back to back) before the median. Every server runs in its own JVM"
                + " (`-Xms1g -Xmx1g`, G1); the load driver is a further JVM using raw sockets. See"
                + " `bench/README.md` for the method.\n");
        for (String n : notes) {
            md.append("\n").append(n).append('\n');
        }
    }

    /** One table per section: a row per server, a column per figure. */
    private void figures(StringBuilder md) {
        for (Map.Entry<String, Map<String, Map<String, Figure>>> section : sections.entrySet()) {
            md.append("\n## ").append(title(section.getKey())).append("\n\n");
            List<String> metrics = new ArrayList<>();
            section.getValue().values().forEach(m -> m.keySet().forEach(k -> {
                if (!metrics.contains(k)) {
                    metrics.add(k);
                }
            }));
            md.append("| server |");
            for (String m : metrics) {
                Figure any = section.getValue().values().stream().map(x -> x.get(m)).filter(x -> x != null)
                        .findFirst().orElseThrow();
                md.append(' ').append(m).append(" (").append(any.unit).append(") |");
            }
            md.append("\n|---|").append("---:|".repeat(metrics.size())).append('\n');
            for (Map.Entry<String, Map<String, Figure>> t : section.getValue().entrySet()) {
                md.append("| ").append(t.getKey()).append(" |");
                for (String m : metrics) {
                    Figure f = t.getValue().get(m);
                    md.append(' ').append(f == null ? "" : f.show()).append(" |");
                }
                md.append('\n');
            }
        }
    }

    private void peer(StringBuilder md) {
        if (fig("throughput", "Quarkus plain", "10 connections") == null) {
            md.append("\n## The peer (Quarkus WebSockets Next + SmallRye JWT)\n\nNot measured in this run (its app"
                    + " was not built).\n");
            return;
        }
        md.append("\n## The peer: what each security layer costs (Quarkus WebSockets Next + SmallRye JWT)\n\n");
        // Each layer against its own transport: Quarkus secured vs plain, wsguard vs the same endpoints unguarded on
        // GuardedServer's transport where measured, so a transport setting never counts as the guard's.
        String base = fig("throughput", SAME_TRANSPORT, "10 connections") != null ? SAME_TRANSPORT : "plain Tyrus";
        md.append("| cost of the security layer | Quarkus (`/secure` vs `/plain`) | wsguard (vs ").append(base)
                .append(") | less than the peer's |\n|---|---|---|---|\n");
        for (int c : new int[] {1, 10, 100}) {
            Figure q = ratio("throughput", "Quarkus secured", "Quarkus plain", c + " connections");
            Figure w = ratio("throughput", "wsguard", base, c + " connections");
            peerRow(md, "message throughput lost, " + c + " connections", 1 - q.median(), 1 - w.median());
        }
        Figure qh = ratio("handshakes", "Quarkus secured", "Quarkus plain", "8-way");
        Figure wh = ratio("handshakes", "wsguard, token cache off", base, "8-way");
        Figure wc = ratio("handshakes", "wsguard", base, "8-way");
        peerRow(md, "handshake rate lost, 8-way, every token verified", 1 - qh.median(), 1 - wh.median());
        peerRow(md, "handshake rate lost, 8-way, wsguard's token cache on", 1 - qh.median(), 1 - wc.median());
        Figure qm = difference("memory", "Quarkus secured", "Quarkus plain", MEMORY_OWN);
        Figure wm = difference("memory", "wsguard", "plain Tyrus", MEMORY_OWN);
        md.append("| heap per idle connection added | ").append(bytes(qm)).append(" | ").append(bytes(wm))
                .append(" | ").append(wm.median() < qm.median() ? "yes" : "**no**").append(" |\n");
        Figure qt = ratio("throughput", "Quarkus plain", "plain Tyrus", "100 connections");
        md.append("\nTransport alone: Quarkus plain / plain Tyrus at 100 connections = ").append(Figure.num(qt.median()))
                .append("x ").append(spread(qt)).append(".\n");
    }

    private static void peerRow(StringBuilder md, String what, double quarkus, double ours) {
        md.append("| ").append(what).append(" | ").append(pct(quarkus)).append(" | ").append(pct(ours)).append(" | ")
                .append(ours < quarkus ? "yes" : "**no**").append(" |\n");
    }


    private static void target(StringBuilder md, String what, String measured, String goal, boolean met) {
        md.append("| ").append(what).append(" | ").append(measured).append(" | ").append(goal).append(" | ")
                .append(met ? "yes" : "**no**").append(" |\n");
    }

    private static String pct(Figure r) {
        return r.samples.isEmpty() ? "n/a" : pct(r.median()) + " " + spread(r);
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f %%", v * 100);
    }

    private static String spread(Figure r) {
        return r.samples.size() < 2 ? "" : String.format(Locale.ROOT, "(%.2f–%.2f)", r.min(), r.max());
    }

    private static String bytes(Figure f) {
        return f.samples.isEmpty() ? "n/a" : String.format(Locale.ROOT, "%,.0f B", f.median());
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private static String title(String section) {
        return switch (section) {
            case "throughput" -> "Message throughput (closed loop, 200-byte message, answer awaited)";
            case "cpu" -> "Server CPU per message during the throughput runs (user + system time of the server JVM)";
            case "handshake cpu" -> "Server CPU per handshake during the handshake runs (user + system time)";
            case "latency" -> "Round-trip latency at a fixed 2,000 msg/s over 10 connections";
            case "handshakes" -> "Handshakes per second (raw-socket client, one token)";
            case "fairness" -> "Fairness: 100 clients at 10 msg/s each, with and without one flooding client";
            case "memory" -> "Heap per idle connection (after full GC), by the tokens the connections carry";
            case "server and store cpu" -> "Server and store CPU: the server JVM's, plus redis-server's for the Redis"
                    + " store (Hazelcast runs inside the server JVM)";
            case "redis" -> "Redis during the same runs: requests per message or handshake, and its own CPU (INFO"
                    + " commandstats and the redis-server process)";
            default -> section;
        };
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (Exception e) {
            return "n/a";
        }
    }
}
