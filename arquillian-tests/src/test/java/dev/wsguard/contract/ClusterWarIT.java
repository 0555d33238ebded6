package dev.wsguard.contract;

import dev.wsguard.GuardConfig;
import dev.wsguard.Revocations;
import dev.wsguard.contract.cluster.ClusterEndpoint;
import dev.wsguard.testing.cluster.RedisServer;
import dev.wsguard.tyrus.GuardedServer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cluster mode from a WAR with the Redis store: the server is the first node, a {@code GuardedServer} in the test's
 * JVM the second, and both share their state through a real {@code redis-server} (started by the test on a free
 * loopback port, installed with apt-get when missing). The WAR brings Lettuce and Bucket4j as an application would;
 * both nodes read the same keys, the server from the WAR's MicroProfile Config. Without the shared store each node
 * holds every limit on its own: with {@code wsguard.cluster.store=local} in this WAR all four tests fail
 * ({@code ClusterIT} in the library keeps that side as a test, with two standalone nodes).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ClusterWarIT extends ClusterSuite {

    private static RedisServer redis;
    private static String properties;
    private static GuardedServer node;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive war() throws Exception {
        redis = RedisServer.start();
        properties = limits()
                + "wsguard.cluster.store=redis\n"
                + "wsguard.cluster.redis.uri=" + redis.uri() + "\n"
                + "wsguard.cluster.lease=PT5S\n";
        return war(properties, redisClientJars());
    }

    /** Lettuce, Netty, Reactor and Bucket4j's Lettuce module: what docs/cluster.md tells an application to add. */
    private static File[] redisClientJars() {
        return ContractIT.jarsOf(io.lettuce.core.RedisClient.class, io.netty.util.concurrent.Future.class,
                io.netty.handler.ssl.SslHandler.class, io.netty.resolver.AddressResolver.class,
                io.netty.buffer.ByteBuf.class, io.netty.channel.unix.Socket.class,
                io.netty.handler.codec.ByteToMessageDecoder.class, io.netty.channel.Channel.class,
                io.netty.resolver.dns.DnsAddressResolverGroup.class, io.netty.handler.codec.dns.DnsRecord.class,
                reactor.core.publisher.Mono.class, org.reactivestreams.Publisher.class,
                io.github.bucket4j.Bucket.class, io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager.class,
                io.github.bucket4j.redis.AbstractRedisProxyManagerBuilder.class);
    }

    /** The second node: the same endpoint and keys, on Tyrus standalone in this JVM. Started on first use. */
    private static synchronized GuardedServer node() throws Exception {
        if (node == null) {
            Properties keys = new Properties();
            keys.load(new StringReader(properties));
            ClusterEndpoint.Guard.given = GuardConfig.fromConfig(key -> Optional.ofNullable(keys.getProperty(key)));
            node = GuardedServer.builder().host("127.0.0.1").port(0).endpoint(ClusterEndpoint.class).build();
            node.start();
        }
        return node;
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    URI first() {
        // Payara reports its interface address; the servers listen on loopback too.
        return URI.create("ws://127.0.0.1:" + base.getPort() + base.getPath() + "cluster");
    }

    @Override
    URI second() throws Exception {
        return node().uri("/cluster");
    }

    @Override
    void revokeOnSecond(String subject) throws Exception {
        assertThat(Revocations.shared().revokeUser(subject)).as("no session of the user on this node").isZero();
    }
}
