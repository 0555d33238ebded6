package dev.wsguard.testing.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The Hazelcast member configuration for the node JVMs of a test cluster: one XML file that every node names (the
 * JCache cache names include the configuration URI, so it must be the same string on every node), members on
 * loopback ports found free at run time, TCP-IP join with multicast and auto-detection off, a cluster name of its
 * own, failure detection in seconds rather than Hazelcast's minute, and a graceful leave when a node's JVM exits
 * (its partitions move first; Hazelcast's default drops them, and the keys they held answer 503 until the others
 * notice).
 */
public final class HazelcastCluster implements AutoCloseable {

    private final Path file;

    private HazelcastCluster(Path file) {
        this.file = file;
    }

    /** Writes the configuration for up to {@code members} members. */
    public static HazelcastCluster configure(int members) throws IOException {
        int base = freePorts(members);
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < members; i++) {
            list.append("        <member>127.0.0.1:").append(base + i).append("</member>\n");
        }
        String xml = """
                <hazelcast xmlns="http://www.hazelcast.com/schema/config">
                  <cluster-name>wsguard-it-%s</cluster-name>
                  <network>
                    <port auto-increment="true" port-count="%d">%d</port>
                    <interfaces enabled="true"><interface>127.0.0.1</interface></interfaces>
                    <join>
                      <auto-detection enabled="false"/>
                      <multicast enabled="false"/>
                      <tcp-ip enabled="true" connection-timeout-seconds="1">
                        <member-list>
                %s      </member-list>
                      </tcp-ip>
                    </join>
                  </network>
                  <properties>
                    <property name="hazelcast.phone.home.enabled">false</property>
                    <property name="hazelcast.wait.seconds.before.join">0</property>
                    <property name="hazelcast.max.wait.seconds.before.join">0</property>
                    <property name="hazelcast.heartbeat.interval.seconds">1</property>
                    <property name="hazelcast.max.no.heartbeat.seconds">2</property>
                    <property name="hazelcast.socket.bind.any">false</property>
                    <property name="hazelcast.shutdownhook.policy">GRACEFUL</property>
                  </properties>
                </hazelcast>
                """.formatted(UUID.randomUUID(), members, base, list);
        Path file = Files.createTempFile("wsguard-hazelcast", ".xml");
        Files.writeString(file, xml);
        return new HazelcastCluster(file);
    }

    /** The configuration's URI, for {@code wsguard.cluster.jcache.uri}. */
    public String uri() {
        return file.toUri().toString();
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(file);
    }

    /** The first of {@code count} consecutive loopback ports that are free now, in 43000–44999. */
    private static int freePorts(int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = 43000 + (int) (Math.random() * (2000 - count));
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int i = 0; i < count; i++) {
                    ServerSocket probe = new ServerSocket();
                    held.add(probe);
                    probe.bind(new InetSocketAddress("127.0.0.1", base + i));
                }
                return base;
            } catch (IOException taken) {
                // try another range
            } finally {
                for (ServerSocket s : held) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // closing a probe
                    }
                }
            }
        }
        throw new IllegalStateException("no " + count + " free consecutive ports in 43000-44999");
    }
}
