package dev.wsguard.contract;

import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JCache store on the Hazelcast that Payara clusters with: two Payara Micro 6 instances form one cluster (TCP-IP
 * discovery on loopback, a cluster name of the test's own) and each deploys the same WAR with
 * {@code wsguard.cluster.store=jcache} and Payara's provider from JNDI; the WAR adds only Bucket4j's JCache module.
 * The Arquillian adapter starts one server per deployment, so this test runs Payara Micro itself.
 */
class PayaraClusterIT extends ClusterSuite {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<Instance> INSTANCES = new ArrayList<>();

    /** One Payara Micro process and the ports it serves HTTP and its data grid on. */
    private record Instance(Process process, int port, Path log) {
        URI http(String path) {
            return URI.create("http://127.0.0.1:" + port + "/cluster" + path);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("payara-cluster");
        Path war = dir.resolve("cluster.war");
        String properties = limits()
                + "wsguard.cluster.store=jcache\n"
                + "wsguard.cluster.jcache.provider=jndi:payara/CachingProvider\n"
                + "wsguard.cluster.lease=PT5S\n";
        war(properties, ContractIT.jarsOf(io.github.bucket4j.Bucket.class,
                io.github.bucket4j.grid.jcache.JCacheProxyManager.class))
                .as(ZipExporter.class).exportTo(war.toFile());
        String cluster = "wsguard-it-" + UUID.randomUUID().toString().substring(0, 8);
        // Payara reads each member as host:port (no port range); each instance's grid listens on its own port.
        int[] grid = {freePort(), freePort()};
        String members = "127.0.0.1:" + grid[0] + ",127.0.0.1:" + grid[1];
        for (int i = 0; i < 2; i++) {
            int port = freePort();
            Path log = dir.resolve("payara-" + i + ".log");
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-jar", Path.of(System.getProperty("servers.dir"), "payara-micro.jar").toString(),
                    "--port", Integer.toString(port), "--clustername", cluster, "--clustermode", "tcpip:" + members,
                    "--startport", Integer.toString(grid[i]), "--interfaces", "127.0.0.1", "--nohostaware",
                    "--deploy", war.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            INSTANCES.add(new Instance(process, port, log));
        }
        for (Instance instance : INSTANCES) {
            awaitUp(instance, Duration.ofMinutes(3));
        }
        for (Instance instance : INSTANCES) {
            awaitLog(instance, "DG Size: 2", Duration.ofMinutes(1));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Instance instance : INSTANCES) {
            instance.process().destroy();
        }
        for (Instance instance : INSTANCES) {
            if (!instance.process().waitFor(30, TimeUnit.SECONDS)) {
                instance.process().destroyForcibly();
            }
        }
    }

    @Override
    URI first() {
        return URI.create("ws://127.0.0.1:" + INSTANCES.get(0).port() + "/cluster/cluster");
    }

    @Override
    URI second() {
        return URI.create("ws://127.0.0.1:" + INSTANCES.get(1).port() + "/cluster/cluster");
    }

    @Override
    void revokeOnSecond(String subject) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(INSTANCES.get(1).http("/admin?revoke="
                + subject)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).as("no session of the user on the second instance").isEqualTo("0");
    }

    private static void awaitUp(Instance instance, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!instance.process().isAlive()) {
                throw new IllegalStateException("Payara Micro exited: " + Files.readString(instance.log()));
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(instance.http("/admin")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Still booting.
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("Payara Micro not up within " + within + "; log: " + instance.log());
    }

    private static void awaitLog(Instance instance, String text, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.readString(instance.log()).contains(text)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no '" + text + "' in " + instance.log() + " within " + within);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
