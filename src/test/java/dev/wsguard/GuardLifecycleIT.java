package dev.wsguard;

import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.WsClient;
import dev.wsguard.testing.chat.GuardedChat;
import dev.wsguard.testing.chat.StandardChat;
import dev.wsguard.testing.chat.TestGuard;
import dev.wsguard.testing.cluster.RedisServer;
import dev.wsguard.tyrus.GuardedServer;
import org.junit.jupiter.api.Test;

import javax.management.ObjectName;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Guards close with their server: after {@code GuardedServer.close()} no wsguard thread runs and no wsguard MBean is
 * registered, where both were while sessions were open (so the check can fail). Each run is a JVM of its own: other
 * tests of this JVM keep guards of their own open.
 */
class GuardLifecycleIT {

    static final String ORIGIN = "https://chat.test";

    @Test
    void closeWhenServerClosedThenNoWsguardThreadOrMBeanRemains() throws Exception {
        List<String> lines = runProbe();
        assertThat(lines).contains("open threads [wsguard-handshake-timeout, wsguard-timer]");
        assertThat(lines).anyMatch(line -> line.startsWith("open mbeans [dev.wsguard:")
                && line.contains("/guarded") && line.contains("/standard"));
        assertThat(lines).contains("closed threads []", "closed mbeans []");
    }

    /**
     * With the Redis store, its threads (wsguard's heartbeat, Lettuce's event loops) run while the guards do and stop
     * with the last of them: in a WAR they would otherwise hold the undeployed application's classes.
     */
    @Test
    void closeWhenServerWithRedisStoreClosedThenNoStoreThreadRemains() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            List<String> lines = runProbe(redis.uri());
            assertThat(lines).anyMatch(line -> line.startsWith("open threads [")
                    && line.contains("wsguard-cluster") && line.contains("lettuce"));
            assertThat(lines).contains("closed threads []", "closed mbeans []");
        }
    }

    /** Runs {@link Probe} in a fresh JVM on this test's class path and returns what it printed. */
    private static List<String> runProbe(String... args) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                Probe.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(line);
            }
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join("\n", lines)).isZero();
        return lines;
    }

    /**
     * Starts a server with both shapes, keep-alive and bans (and the Redis store at the URI given, if one is), opens
     * a session on each, closes it, and reports the threads of wsguard (and of its Redis client) and its MBeans.
     */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            GuardConfig.Builder config = GuardConfig.builder().allowedOrigins(ORIGIN)
                    .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048())).issuer(TestTokens.ISSUER)
                    .audiences(TestTokens.AUDIENCE).pingInterval(Duration.ofSeconds(30))
                    .bans(3, Duration.ofSeconds(30), Duration.ofSeconds(30));
            if (args.length > 0) {
                config = config.cluster(new GuardConfig.ClusterSetting(GuardConfig.ClusterSetting.Store.REDIS,
                        args[0], Duration.ofSeconds(15), GuardConfig.ClusterSetting.OnStoreFailure.FAIL_CLOSED,
                        Duration.ofMillis(500), 10));
            }
            TestGuard.config = config.build();
            GuardedServer server = GuardedServer.builder().endpoint(GuardedChat.class).endpoint(StandardChat.class)
                    .build();
            server.start();
            String token = TestTokens.token().subject("lifecycle").sign();
            try (WsClient a = WsClient.connect(server.uri("/guarded"), ORIGIN, token);
                 WsClient b = WsClient.connect(server.uri("/standard"), ORIGIN, token)) {
                a.send("{\"type\":\"ping\"}").next();
                b.send("{\"type\":\"ping\"}").next();
                System.out.println("open threads " + wsguardThreads());
                System.out.println("open mbeans " + wsguardMBeans());
                server.close();
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while ((!wsguardThreads().isEmpty() || !wsguardMBeans().isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            System.out.println("closed threads " + wsguardThreads());
            System.out.println("closed mbeans " + wsguardMBeans());
            System.exit(0);
        }

        static Set<String> wsguardThreads() {
            Set<String> names = new TreeSet<>();
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (thread.isAlive() && (thread.getName().startsWith("wsguard")
                        || thread.getName().startsWith("lettuce"))) {
                    names.add(thread.getName());
                }
            }
            return names;
        }

        static Set<String> wsguardMBeans() throws Exception {
            Set<String> names = new TreeSet<>();
            for (ObjectName name : ManagementFactory.getPlatformMBeanServer()
                    .queryNames(new ObjectName("dev.wsguard:*"), null)) {
                names.add(name.toString());
            }
            return names;
        }
    }
}
