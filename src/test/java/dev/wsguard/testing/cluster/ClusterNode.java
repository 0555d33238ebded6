package dev.wsguard.testing.cluster;

import dev.wsguard.GuardConfig;
import dev.wsguard.Revocations;
import dev.wsguard.testing.chat.GuardedChat;
import dev.wsguard.testing.chat.TestGuard;
import dev.wsguard.tyrus.GuardedServer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * One node of a test cluster, in a JVM of its own: {@link GuardedChat} on {@link GuardedServer}, configured only
 * through system properties ({@code wsguard.*}, {@code mp.jwt.*}) as a deployment would be. Prints
 * {@code READY <port>}, then obeys lines on standard input: {@code revoke <subject>} (answers {@code REVOKED <n>}).
 */
public final class ClusterNode {

    private ClusterNode() {
    }

    public static void main(String[] args) throws Exception {
        TestGuard.config = GuardConfig.fromConfig();
        GuardedServer server = GuardedServer.builder().host("127.0.0.1").endpoint(GuardedChat.class)
                .build();
        server.start();
        System.out.println("READY " + server.port());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.startsWith("revoke ")) {
                int closed = Revocations.shared().revokeUser(line.substring("revoke ".length()));
                System.out.println("REVOKED " + closed);
                System.out.flush();
            }
        }
        server.close();
        // A store's client threads (Hazelcast's members) would keep the JVM alive.
        System.exit(0);
    }
}
