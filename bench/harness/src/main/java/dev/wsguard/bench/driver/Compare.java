package dev.wsguard.bench.driver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A short A/B run for checking one change before a full {@code bench/run}: handshakes (or, with
 * {@code --pattern messages}, closed-loop throughput) against a few endpoints, alternated round by round after a
 * warm-up of each. Not part of {@code bench/run}: figures to quote come from there.
 *
 * <p>Arguments: {@code --jar FILE} (this jar), {@code --targets a,b,...} among {@code plain} (plain Tyrus),
 * {@code plain-gs} (the same endpoint unguarded on GuardedServer's transport), {@code cached} ({@code /guarded}),
 * {@code verify} (plain Tyrus + one bare RS256 check), {@code verify-gs} (the same on GuardedServer's transport),
 * {@code nocache} ({@code /guarded-nocache}), {@code default} ({@code /guarded-default}), each of the GuardedServer
 * ones optionally with {@code @N}: that server runs N selector threads; {@code --pattern
 * handshakes|messages|latency|fairness}, {@code --n N} (handshake threads or connections, default 8), {@code --rounds
 * N} (after a warm-up round), {@code --seconds N}, {@code --slices N} (handshakes and messages: each target's
 * seconds of a round in N runs, the targets in turn, as {@code bench/run} takes them), {@code --warm-up N} (seconds of
 * each target before that round, default 10: the verified-token path needs about 40 on 2 cores), {@code --logs DIR}.
 * Prints each target's median rate and server CPU per operation, p50 and p99 (latency), or for fairness (as
 * {@code bench/run}'s, a fresh flooder each run) the p99 without and with the flood; with
 * {@code --flood-elsewhere yes} also the p99 while the same flooder floods a plain Tyrus server of its own (another
 * JVM on the same machine): the control that separates what the flood costs the measured server from what it costs
 * the machine.
 */
public final class Compare {

    private Compare() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = Run.options(args);
        Path jar = Path.of(o.get("--jar"));
        String pattern = o.getOrDefault("--pattern", "handshakes");
        boolean messages = pattern.equals("messages");
        int n = Integer.parseInt(o.getOrDefault("--n", "8"));
        int rounds = Integer.parseInt(o.getOrDefault("--rounds", "5"));
        long millis = Long.parseLong(o.getOrDefault("--seconds", "3")) * 1_000;
        long warmUp = Long.parseLong(o.getOrDefault("--warm-up", "10")) * 1_000;
        List<String> names = List.of(o.getOrDefault("--targets", "plain,plain-gs,cached").split(","));
        Path logs = Files.createDirectories(Path.of(o.getOrDefault("--logs", "target/compare")));
        Tokens keys = Tokens.generate(logs);
        List<String> tokens = keys.users(pattern.equals("handshakes") ? 1 : Math.max(n, 101));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Map<String, ServerProcess> servers = new LinkedHashMap<>();
        try {
            Load.Target elsewhere = null;
            if (pattern.equals("fairness") && o.containsKey("--flood-elsewhere")) {
                ServerProcess sink = ServerProcess.start("plain", List.of(java, "-Xms1g", "-Xmx1g", "-XX:+UseG1GC",
                        "-cp", jar.toString(), "dev.wsguard.bench.server.Servers", "plain", keys.pem.toString()),
                        logs.resolve("flood-sink.log"));
                servers.put("flood-sink", sink);
                elsewhere = new Load.Target("flood sink", sink, "/plain", false);
            }
            Load.Target floodSink = elsewhere;
            List<Load.Target> targets = new ArrayList<>();
            for (String name : names) {
                // A name may end in "@N": that server runs N selector threads (GuardedServer's kinds only).
                String base = name.replaceAll("@\\d+$", "");
                String selectors = name.equals(base) ? "0" : name.substring(base.length() + 1);
                String kind = switch (base) {
                    case "plain", "verify" -> "plain";
                    case "plain-gs", "verify-gs" -> "plain-gs";
                    case "cached", "nocache", "default" -> "guarded";
                    default -> throw new IllegalArgumentException("unknown target " + name);
                };
                ServerProcess server = servers.get(kind + "@" + selectors);
                if (server == null) {
                    server = ServerProcess.start(kind, List.of(java, "-Xms1g", "-Xmx1g", "-XX:+UseG1GC",
                            "-Dbench.selectors=" + selectors, "-cp", jar.toString(),
                            "dev.wsguard.bench.server.Servers", kind, keys.pem.toString()),
                            logs.resolve(kind + "-" + selectors + ".log"));
                    servers.put(kind + "@" + selectors, server);
                }
                String path = switch (base) {
                    case "cached" -> "/guarded";
                    case "nocache" -> "/guarded-nocache";
                    case "default" -> "/guarded-default";
                    case "verify", "verify-gs" -> "/verify";
                    default -> "/plain";
                };
                targets.add(new Load.Target(name, server, path, !name.startsWith("plain")));
            }
            Measure measure = switch (pattern) {
                // p50 and p99 at 2,000 msg/s over 10 connections, as bench/run's latency figure.
                case "latency" -> t -> Load.latency(t, tokens, 10, 2_000, millis);
                // 100 clients at 10 msg/s, alone and then with one fresh flooder: the p99 of each.
                case "fairness" -> new Measure() {
                    private int flooders;

                    @Override
                    public double[] of(Load.Target t) throws Exception {
                        double[] p99 = new double[floodSink == null ? 2 : 3];
                        for (int run = 0; run < p99.length; run++) {
                            Load.Flooder flooder = new Load.Flooder(keys.sign("mallory-" + flooders), flooders);
                            flooders++;
                            p99[run] = Load.fairness(t, run == 2 ? floodSink : t, tokens.subList(1, 101), flooder,
                                    100, 10, millis, run > 0).p99Micros();
                        }
                        return p99;
                    }
                };
                // The rate and the server's CPU per operation.
                default -> t -> {
                    long cpu = t.server().cpuMicros();
                    double rate = run(t, tokens, messages, n, millis);
                    cpu = t.server().cpuMicros() - cpu;
                    return new double[] {rate, cpu / (rate * millis / 1000.0)};
                };
            };
            if (!pattern.equals("latency") && !pattern.equals("fairness")) {
                // The JIT settles slowly on 2 cores: a longer first run of each before the warm-up round.
                for (Load.Target t : targets) {
                    run(t, tokens, messages, n, warmUp);
                }
            }
            Map<String, List<double[]>> figures = new LinkedHashMap<>();
            int slices = Integer.parseInt(o.getOrDefault("--slices", "1"));
            for (int r = 0; r <= rounds; r++) {
                if ((pattern.equals("handshakes") || messages) && slices > 1) {
                    List<Load.Target> turn = Run.rotate(targets, r + 1);
                    double[][] f = messages ? Load.throughputInTurn(turn, tokens, n, millis, slices)
                            : Load.handshakesInTurn(turn, tokens.get(0), n, millis, slices);
                    for (int i = 0; i < turn.size() && r > 0; i++) {
                        figures.computeIfAbsent(turn.get(i).label(), k -> new ArrayList<>()).add(f[i]);
                    }
                    continue;
                }
                for (Load.Target t : Run.rotate(targets, r + 1)) {
                    double[] f = measure.of(t);
                    if (r > 0) {
                        figures.computeIfAbsent(t.label(), k -> new ArrayList<>()).add(f);
                    }
                }
            }
            String columns = switch (pattern) {
                case "latency" -> "p50 %6.0f µs, p99 %6.0f µs";
                case "fairness" -> "p99 quiet %6.0f µs, with the flood %6.0f µs";
                default -> "%8.0f /s, %6.1f µs CPU each";
            };
            for (Load.Target t : targets) {
                List<double[]> f = figures.get(t.label());
                System.out.printf("%-12s " + columns + "; per round %s%n", t.label(), median(f, 0), median(f, 1),
                        f.stream().map(x -> String.format("%.0f/%.0f", x[0], x[1])).toList());
                if (floodSink != null) {
                    System.out.printf("%-12s p99 while the flood goes to another server %6.0f µs; per round %s%n",
                            t.label(), median(f, 2), f.stream().map(x -> String.format("%.0f", x[2])).toList());
                }
            }
        } finally {
            servers.values().forEach(ServerProcess::close);
        }
    }

    /** One figure pair of one target in one round. */
    private interface Measure {
        double[] of(Load.Target target) throws Exception;
    }

    private static double run(Load.Target t, List<String> tokens, boolean messages, int n, long millis)
            throws Exception {
        return messages ? Load.throughput(t, tokens, n, millis) : Load.handshakes(t, tokens.get(0), n, millis);
    }

    private static double median(List<double[]> f, int i) {
        double[] v = f.stream().mapToDouble(x -> x[i]).sorted().toArray();
        return v[v.length / 2];
    }
}
