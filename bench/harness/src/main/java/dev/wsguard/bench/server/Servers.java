package dev.wsguard.bench.server;

import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import dev.wsguard.GuardConfig;
import dev.wsguard.tyrus.GuardedServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.tyrus.server.Server;

/**
 * Starts one server under load, in its own JVM: {@code plain} (Tyrus {@code Server}: {@code /plain},
 * {@code /verify} and {@code /plain-open}), {@code plain-gs} (the first two, unguarded, on {@code GuardedServer}'s
 * transport) or {@code guarded} (wsguard's {@code GuardedServer}: {@code /guarded}, {@code /guarded-standard},
 * {@code /guarded-nocache}, {@code /guarded-default}) or {@code cluster} ({@code /cluster} and {@code /cluster-small}
 * on one store, see {@link ClusterEndpoints}). Arguments: the kind and the PEM file of the token key; for
 * {@code cluster}, the store ({@code local}, {@code redis} or {@code jcache}) and its URI. Prints
 * {@code ready ws://127.0.0.1:PORT} when it accepts connections.
 */
public final class Servers {

    /** Kept so the level set below is not garbage collected with the logger. */
    private static final Logger AUDIT = Logger.getLogger("dev.wsguard.audit");

    private Servers() {
    }

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        Path key = Path.of(args[1]);
        // One INFO line per accepted handshake would measure the console, not the guard; refusals are still logged.
        AUDIT.setLevel(Level.WARNING);
        int port;
        if (kind.equals("plain")) {
            VerifyOnlyEndpoint.BareSignature.key(publicKey(Files.readString(key)));
            port = freePort();
            Server server = new Server("127.0.0.1", port, "/", null, PlainEndpoint.class, PlainOpenEndpoint.class,
                    VerifyOnlyEndpoint.class);
            server.start();
        } else if (kind.equals("plain-gs")) {
            // The same two unguarded endpoints on GuardedServer's transport (its listener, filter and selector
            // threads): what the guard alone costs shows against this one.
            VerifyOnlyEndpoint.BareSignature.key(publicKey(Files.readString(key)));
            GuardedServer server = builder()
                    .endpoint(PlainEndpoint.class)
                    .endpoint(VerifyOnlyEndpoint.class)
                    .build();
            server.start();
            port = server.port();
        } else if (kind.equals("guarded")) {
            GuardedEndpoints.keyLocation = key.toString();
            GuardedServer server = builder()
                    .endpoint(GuardedEndpoints.Guarded.class)
                    .endpoint(GuardedEndpoints.GuardedStandard.class)
                    .endpoint(GuardedEndpoints.GuardedNoCache.class)
                    .endpoint(GuardedEndpoints.GuardedDefault.class)
                    .build();
            server.start();
            port = server.port();
        } else if (kind.equals("cluster")) {
            GuardedEndpoints.keyLocation = key.toString();
            ClusterEndpoints.store = clusterSetting(args[2], args.length > 3 ? args[3] : null, 10);
            ClusterEndpoints.smallBatches = clusterSetting(args[2], args.length > 3 ? args[3] : null, 1);
            GuardedServer.Builder builder = GuardedServer.builder().host("127.0.0.1").port(0)
                    .endpoint(ClusterEndpoints.Cluster.class);
            if (!args[2].equals("jcache")) {
                // A second JCache store in one JVM would share the first one's caches; batches are the same code.
                builder = builder.endpoint(ClusterEndpoints.ClusterSmall.class);
            }
            GuardedServer server = builder.build();
            server.start();
            port = server.port();
        } else {
            throw new IllegalArgumentException("kind must be plain, plain-gs, guarded or cluster: " + kind);
        }
        System.out.println("ready ws://127.0.0.1:" + port);
        System.out.flush();
        new CountDownLatch(1).await();
    }

    /**
     * A GuardedServer on 127.0.0.1 and a free port; with {@code -Dbench.selectors=N} (N > 0) N selector threads
     * instead of the default (for {@code Compare}'s {@code name@N} targets).
     */
    private static GuardedServer.Builder builder() {
        GuardedServer.Builder builder = GuardedServer.builder().host("127.0.0.1").port(0);
        int selectors = Integer.getInteger("bench.selectors", 0);
        return selectors > 0 ? builder.selectorThreads(selectors) : builder;
    }

    /**
     * The store named {@code store} ({@code local}, {@code redis} with the server's URI, {@code jcache} with a
     * Hazelcast member configuration's URI), every other setting at its default but the batch size.
     */
    private static GuardConfig.ClusterSetting clusterSetting(String store, String uri, int batchPercent) {
        GuardConfig.ClusterSetting d = GuardConfig.ClusterSetting.IN_PROCESS;
        return switch (store) {
            case "local" -> d;
            case "redis" -> new GuardConfig.ClusterSetting(GuardConfig.ClusterSetting.Store.REDIS, uri, d.lease(),
                    d.onStoreFailure(), d.timeout(), batchPercent);
            case "jcache" -> new GuardConfig.ClusterSetting(GuardConfig.ClusterSetting.Store.JCACHE, null, d.lease(),
                    d.onStoreFailure(), d.timeout(), batchPercent, "com.hazelcast.cache.HazelcastMemberCachingProvider",
                    uri);
            default -> throw new IllegalArgumentException("store must be local, redis or jcache: " + store);
        };
    }

    private static RSAPublicKey publicKey(String pem) throws Exception {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return (RSAPublicKey) KeyFactory.getInstance("RSA")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    /** Tyrus's own Server cannot report an ephemeral port, so one is picked just before. */
    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
