package dev.wsguard.bench.driver;

import dev.wsguard.bench.Wire;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/** The load patterns, each against one endpoint of one server: throughput, latency, handshakes, memory, flood. */
final class Load {

    static final byte[] MESSAGE = RawWs.textFrame(Wire.MESSAGE);

    /**
     * Where to send: a server's port and a path. Secured targets get each client's bearer token; plain ones get
     * none, since Quarkus authenticates any request that carries one (proactive authentication), even on a path
     * that needs none, which would put the peer's token check into its plain figures.
     */
    record Target(String label, ServerProcess server, String path, boolean secured) {
        byte[] upgrade(String token) {
            return RawWs.upgrade(server.port, path, secured ? token : null);
        }
    }

    private Load() {
    }

    /** Closed loop (send, await the answer, repeat) on {@code connections} sockets; messages per second. */
    static double throughput(Target target, List<String> tokens, int connections, long millis) throws Exception {
        List<RawWs> sockets = openAll(target, tokens, connections);
        try {
            long[] run = closedLoop(sockets, millis);
            return run[0] / (run[1] / 1e9);
        } finally {
            closeAll(sockets);
        }
    }

    /**
     * Closed-loop throughput against several targets in turn, as {@link #handshakesInTurn}: each target's
     * {@code connections} are opened first and stay open (idle while the others run), then {@code slices} short runs
     * each, the order rotated slice by slice.
     *
     * @return per target, in the order given: {messages per second, the server's CPU µs per message (NaN when
     *         unknown)}
     */
    static double[][] throughputInTurn(List<Target> targets, List<String> tokens, int connections, long millisEach,
                                       int slices) throws Exception {
        List<List<RawWs>> sockets = new ArrayList<>();
        try {
            for (Target t : targets) {
                sockets.add(openAll(t, tokens, connections));
            }
            return inTurn(targets, slices, i -> closedLoop(sockets.get(i), millisEach / slices));
        } finally {
            sockets.forEach(Load::closeAll);
        }
    }

    /** @return {messages answered, nanoseconds taken} */
    private static long[] closedLoop(List<RawWs> sockets, long millis) throws Exception {
        AtomicLong count = new AtomicLong();
        long end = System.nanoTime() + millis * 1_000_000;
        long start = System.nanoTime();
        runEach(sockets, ws -> {
            long n = 0;
            while (System.nanoTime() < end) {
                ws.send(MESSAGE);
                expectAck(ws.read());
                n++;
            }
            count.addAndGet(n);
        });
        return new long[] {count.get(), System.nanoTime() - start};
    }

    /** One short run against the target at an index: {operations done, nanoseconds taken}. */
    private interface ShortRun {
        long[] of(int target) throws Exception;
    }

    /**
     * {@code slices} short runs of every target, the targets in turn and the order rotated slice by slice, each run's
     * server CPU read around it.
     *
     * @return per target: {operations per second, the server's CPU µs per operation (NaN when unknown)}
     */
    private static double[][] inTurn(List<Target> targets, int slices, ShortRun run) throws Exception {
        long[][] sums = new long[targets.size()][3];
        for (int slice = 0; slice < slices; slice++) {
            for (int k = 0; k < targets.size(); k++) {
                int i = (k + slice) % targets.size();
                ServerProcess server = targets.get(i).server();
                long cpuBefore = server.cpuMicros();
                long[] done = run.of(i);
                long cpuAfter = server.cpuMicros();
                long[] sum = sums[i];
                sum[0] += done[0];
                sum[1] += done[1];
                // CPU stays unknown once one reading is.
                sum[2] = cpuBefore < 0 || cpuAfter < 0 || sum[2] < 0 ? -1 : sum[2] + cpuAfter - cpuBefore;
            }
        }
        double[][] result = new double[sums.length][];
        for (int i = 0; i < sums.length; i++) {
            long[] s = sums[i];
            result[i] = new double[] {s[0] / (s[1] / 1e9), s[2] < 0 || s[0] == 0 ? Double.NaN : s[2] / (double) s[0]};
        }
        return result;
    }

    /**
     * Open loop at a fixed total rate over {@code connections} sockets; latency is measured from when each message
     * was due, not when it went out, so a stalled server cannot hide its stall (coordinated omission).
     *
     * @return {p50, p99} in microseconds
     */
    static double[] latency(Target target, List<String> tokens, int connections, int ratePerSecond, long millis)
            throws Exception {
        List<RawWs> sockets = openAll(target, tokens, connections);
        try {
            long interval = 1_000_000_000L * connections / ratePerSecond;
            int per = (int) (millis * 1_000_000 / interval);
            long[][] samples = new long[connections][];
            long start = System.nanoTime() + 10_000_000;
            int[] index = {0};
            runEach(sockets, ws -> {
                int me;
                synchronized (index) {
                    me = index[0]++;
                }
                long[] mine = new long[per];
                long offset = interval * me / connections;
                for (int i = 0; i < per; i++) {
                    long due = start + offset + i * interval;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    ws.send(MESSAGE);
                    expectAck(ws.read());
                    mine[i] = System.nanoTime() - due;
                }
                samples[me] = mine;
            });
            long[] all = Arrays.stream(samples).flatMapToLong(Arrays::stream).sorted().toArray();
            return new double[] {percentile(all, 0.50) / 1e3, percentile(all, 0.99) / 1e3};
        } finally {
            closeAll(sockets);
        }
    }

    /** Complete handshakes per second by {@code threads} clients, each connection closed after its 101. */
    static double handshakes(Target target, String token, int threads, long millis) throws Exception {
        long[] run = handshakeRun(target, target.upgrade(token), threads, millis);
        return run[0] / (run[1] / 1e9);
    }

    /**
     * Handshakes against several targets in turn: {@code slices} short runs each, the order rotated slice by slice,
     * so that the machine's slow drift over a round (sockets in TIME_WAIT piling up, collections, other processes)
     * falls on every target alike instead of on whichever ran in a bad second.
     *
     * @return per target, in the order given: {handshakes per second, the server's CPU µs per handshake (NaN when
     *         unknown)}
     */
    static double[][] handshakesInTurn(List<Target> targets, String token, int threads, long millisEach, int slices)
            throws Exception {
        return inTurn(targets, slices,
                i -> handshakeRun(targets.get(i), targets.get(i).upgrade(token), threads, millisEach / slices));
    }

    /** @return {handshakes completed, nanoseconds taken} */
    private static long[] handshakeRun(Target target, byte[] upgrade, int threads, long millis) throws Exception {
        AtomicLong count = new AtomicLong();
        long end = System.nanoTime() + millis * 1_000_000;
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    long n = 0;
                    while (System.nanoTime() < end) {
                        RawWs.handshake(target.server().port, upgrade);
                        n++;
                    }
                    count.addAndGet(n);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return new long[] {count.get(), System.nanoTime() - start};
    }

    /** Heap the server holds per idle connection: {@code connections} opened and left quiet, bytes each. */
    static double heapPerConnection(Target target, List<String> tokens, int connections) throws Exception {
        long before = settledHeap(target.server());
        List<RawWs> sockets = openAll(target, tokens, connections);
        try {
            // Idle connections: what the server holds once it has settled, not what is still on its way out (a
            // handshake's timer entries leave at the timer's next check, up to a second after the upgrade).
            long after = settledHeap(target.server());
            return (after - before) / (double) connections;
        } finally {
            closeAll(sockets);
        }
    }

    /**
     * The live heap once the server has finished with connections closed just before: a server tears down thousands
     * of sessions over a second or more, and a reading taken meanwhile counts them against the next measurement.
     * Read until two readings a second apart differ by less than 64 KiB (at most 10 s).
     */
    private static long settledHeap(ServerProcess server) throws Exception {
        long last = server.heapAfterGc();
        for (int i = 0; i < 10; i++) {
            Thread.sleep(1_000);
            long now = server.heapAfterGc();
            if (Math.abs(now - last) < 64 * 1024) {
                return now;
            }
            last = now;
        }
        return last;
    }

    /** What the well-behaved clients saw during one fairness run. */
    record Fairness(double p99Micros, long lost, long flooded, long refused) {
    }

    /** The flooding client of one run: its token, and {@code 127.0.2.<n>} as its address. */
    record Flooder(String token, int n) {
        InetAddress address() {
            return loopback(2, 1 + n % 250);
        }
    }

    /**
     * {@code good} clients, each its own user, send at {@code ratePerClient} and must get every answer; optionally one
     * more client floods as fast as it can on its own connection, reconnecting whenever it is closed.
     */
    static Fairness fairness(Target target, List<String> tokens, Flooder flooder, int good, int ratePerClient,
                             long millis, boolean flood) throws Exception {
        return fairness(target, target, tokens, flooder, good, ratePerClient, millis, flood);
    }

    /**
     * As above, the flooder sending to {@code floodTarget}: another server on the same machine, for a control run
     * that shows what the flood costs the well-behaved clients when the measured server never sees it.
     */
    static Fairness fairness(Target target, Target floodTarget, List<String> tokens, Flooder flooder, int good,
                             int ratePerClient, long millis, boolean flood) throws Exception {
        // Distinct client addresses, as on the internet: the per-address limits then apply to the flooder alone.
        List<RawWs> sockets = openAll(target, tokens, good, Load::wellBehavedAddress);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong flooded = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        Thread attacker = new Thread(() -> floodUntil(floodTarget, flooder, stop, flooded, refused), "flooder");
        try {
            if (flood) {
                attacker.start();
            }
            long interval = 1_000_000_000L / ratePerClient;
            int per = (int) (millis * 1_000_000 / interval);
            long[][] samples = new long[good][];
            AtomicLong lost = new AtomicLong();
            long start = System.nanoTime() + 200_000_000;
            int[] index = {0};
            runEach(sockets, ws -> {
                int me;
                synchronized (index) {
                    me = index[0]++;
                }
                ws.setTimeout(10_000);
                long[] mine = new long[per];
                long offset = interval * me / good;
                int i = 0;
                try {
                    for (; i < per; i++) {
                        long due = start + offset + i * interval;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        ws.send(MESSAGE);
                        String reply = ws.read();
                        if (!Wire.ACK.equals(reply)) {
                            lost.incrementAndGet();
                        }
                        mine[i] = System.nanoTime() - due;
                    }
                } catch (IOException e) {
                    // A closed or silent connection loses the message in flight and every later one.
                    lost.addAndGet(per - i);
                    mine = Arrays.copyOf(mine, i);
                }
                samples[me] = mine;
            });
            long[] all = Arrays.stream(samples).flatMapToLong(Arrays::stream).sorted().toArray();
            return new Fairness(percentile(all, 0.99) / 1e3, lost.get(), flooded.get(), refused.get());
        } finally {
            stop.set(true);
            if (flood) {
                attacker.join(15_000);
            }
            closeAll(sockets);
        }
    }

    /** 127.0.1.1 to 127.0.1.250: one address per well-behaved client. */
    private static InetAddress wellBehavedAddress(int client) {
        return loopback(1, 1 + client % 250);
    }

    private static InetAddress loopback(int third, int fourth) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, (byte) third, (byte) fourth});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void floodUntil(Target target, Flooder flooder, AtomicBoolean stop, AtomicLong sent,
                                   AtomicLong refused) {
        byte[] upgrade = target.upgrade(flooder.token());
        InetAddress attacker = flooder.address();
        while (!stop.get()) {
            try (RawWs ws = RawWs.open(target.server().port, upgrade, attacker)) {
                Thread drain = new Thread(() -> {
                    try {
                        while (ws.read() != null) {
                            // Error frames and acks alike: only the flood's pressure matters.
                        }
                    } catch (IOException e) {
                        // The server closed the flooder: reconnect below.
                    }
                }, "flood-drain");
                drain.setDaemon(true);
                drain.start();
                while (!stop.get() && drain.isAlive()) {
                    ws.send(MESSAGE);
                    sent.incrementAndGet();
                }
            } catch (IOException e) {
                // Refused or reset: try again at once, as an attacker would.
                refused.incrementAndGet();
            }
        }
    }

    private static void expectAck(String reply) throws IOException {
        if (!Wire.ACK.equals(reply)) {
            throw new IOException("unexpected answer: " + reply);
        }
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    interface SocketTask {
        void run(RawWs ws) throws Exception;
    }

    /** Runs {@code task} on every socket at once, one thread each; rethrows the first failure. */
    static void runEach(List<RawWs> sockets, SocketTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(sockets.size());
        try {
            List<Future<?>> done = new ArrayList<>();
            for (RawWs ws : sockets) {
                done.add(pool.submit(() -> {
                    task.run(ws);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Opens {@code n} connections, 8 at a time; client {@code i} uses {@code tokens[i % size]}. */
    static List<RawWs> openAll(Target target, List<String> tokens, int n) throws Exception {
        return openAll(target, tokens, n, i -> null);
    }

    /** Like {@link #openAll(Target, List, int)}, client {@code i} connecting from {@code source.apply(i)}. */
    static List<RawWs> openAll(Target target, List<String> tokens, int n, IntFunction<InetAddress> source)
            throws Exception {
        RawWs[] result = new RawWs[n];
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, n));
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                done.add(pool.submit(() -> {
                    result[k] = RawWs.open(target.server().port, target.upgrade(tokens.get(k % tokens.size())),
                            source.apply(k));
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (Exception e) {
            closeAll(Arrays.asList(result));
            throw e;
        } finally {
            pool.shutdownNow();
        }
        return List.of(result);
    }

    static void closeAll(List<RawWs> sockets) {
        for (RawWs ws : sockets) {
            if (ws != null) {
                try {
                    ws.close();
                } catch (IOException e) {
                    // Closing is best effort: the next measurement opens new sockets.
                }
            }
        }
    }
}
