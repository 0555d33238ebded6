package dev.wsguard.contract;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import dev.wsguard.probe.ProbeSuite;
import dev.wsguard.probe.Rate;
import dev.wsguard.probe.junit.ProbeTests;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.net.URI;
import java.net.URL;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example's WAR, as its build writes it ({@code examples/chat/target/wsguard-chat.war}), deployed unchanged to
 * the server: only its configuration is added, as an operator would (origins, key, issuer, audience). The chat's
 * protocol answers as on Tyrus standalone, refusals come before the 101, and a kick stays within the admin's tenant.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ExampleWarIT {

    /** Where the example's build leaves its WAR; the test command builds the example before this suite. */
    static final File WAR = new File("../examples/chat/target/wsguard-chat.war");

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive war() {
        return example(Tokens.properties());
    }

    /** The example's WAR as built, with an operator's {@code microprofile-config.properties}. */
    static WebArchive example(String properties) {
        if (!WAR.isFile()) {
            throw new IllegalStateException(WAR.getAbsolutePath() + " is missing: build examples/chat first "
                    + "(./mvnw -f examples/chat/pom.xml package, as the README's test command does)");
        }
        return ShrinkWrap.create(ZipImporter.class, "wsguard-chat.war").importFrom(WAR).as(WebArchive.class)
                .addAsResource(new StringAsset(properties), "META-INF/microprofile-config.properties");
    }

    private URI chat() {
        // Payara reports its interface address; the servers listen on loopback too.
        return URI.create("ws://127.0.0.1:" + base.getPort() + base.getPath() + "chat");
    }

    /** Opens a session for {@code subject} and reads the chat's welcome. */
    private Client join(String subject, String tenant, String... groups) throws Exception {
        Client client = Client.open(chat(), chatToken(subject, tenant, groups));
        assertThat(client.next()).isEqualTo("{\"type\":\"welcome\",\"user\":\"" + subject + "\"}");
        return client;
    }

    /** A token the chat accepts: the scopes it asks for, the tenant, and {@code user} unless other groups given. */
    static String chatToken(String subject, String tenant, String... groups) {
        return Tokens.with(subject, claims -> claims.claim("scope", "chat:read chat:write").claim("tenant", tenant)
                .claim("groups", List.of(groups.length == 0 ? new String[] {"user"} : groups)));
    }

    @Test
    void handshakeWhenForeignOriginOrNoTokenThenRefusedBeforeUpgrade() throws Exception {
        assertThat(RawUpgrade.send(chat(), Tokens.FOREIGN_ORIGIN, chatToken("mallory", "acme")).status())
                .isEqualTo(403);
        assertThat(RawUpgrade.send(chat(), Tokens.ORIGIN, null).status()).isEqualTo(401);
        assertThat(RawUpgrade.send(chat(), Tokens.ORIGIN, Tokens.forged("mallory")).status()).isEqualTo(401);
    }

    @Test
    void chatWhenSubscribedThenPublishedMessageDeliveredAndSiblingTenantForbidden() throws Exception {
        try (Client alice = join("alice", "acme"); Client dave = join("dave", "acme")) {
            for (Client client : List.of(alice, dave)) {
                client.send("{\"type\":\"subscribe\",\"channel\":\"tenant:acme:general\"}");
                assertThat(client.next()).isEqualTo("{\"type\":\"subscribed\",\"channel\":\"tenant:acme:general\"}");
            }
            alice.send("{\"type\":\"publish\",\"channel\":\"tenant:acme:general\",\"text\":\"hello\"}");
            assertThat(dave.next()).contains("\"from\":\"alice\"").contains("\"text\":\"hello\"");

            alice.send("{\"type\":\"subscribe\",\"channel\":\"tenant:globex:general\"}");
            // The publisher receives its own message first.
            String next = alice.next();
            if (next.contains("\"type\":\"message\"")) {
                next = alice.next();
            }
            assertThat(next).isEqualTo("{\"type\":\"error\",\"code\":\"forbidden\"}");
        }
    }

    @Test
    void kickWhenAdminOfAnotherTenantThenAnsweredAsUnknownAndVictimStays() throws Exception {
        try (Client bob = join("bob", "globex"); Client carol = join("carol", "acme", "user", "admin")) {
            carol.send("{\"type\":\"kick\",\"user\":\"bob\"}");
            assertThat(carol.next()).isEqualTo("{\"type\":\"kicked\",\"user\":\"bob\",\"sessions\":0}");
            bob.send("{\"type\":\"ping\"}");
            assertThat(bob.next()).isEqualTo("{\"type\":\"pong\"}");
        }
    }

    /**
     * The attack kit's catalogue against the WAR, one dynamic test per attack; as the example on Tyrus standalone, no
     * finding. The markup echo and the per-user flood post to a channel the session has joined, as the chat's own
     * clients do. The slow attacks are left out: the servers' own HTTP timeouts and the keep-alive answer them,
     * with server-config's settings ({@link TimeoutsIT}), and the chat has no message with a large answer for the
     * non-reading client.
     */
    @TestFactory
    Stream<DynamicTest> probeWhenTheCatalogueRunsAgainstTheWarThenNoFinding() {
        String subscribe = "{\"type\":\"subscribe\",\"channel\":\"tenant:acme:general\"}";
        String publish = "{\"type\":\"publish\",\"channel\":\"tenant:acme:general\",\"text\":\"hi\"}";
        return ProbeTests.of(ProbeSuite.against(chat())
                .origin(Tokens.ORIGIN)
                .token(() -> chatToken(user("probe"), "acme"))
                .lowToken(() -> chatToken(user("probe-low"), "acme"))
                .publicKey(Tokens.publicKeyPem()).signingKey(Tokens.signingKeyPem())
                .adminMessage("{\"type\":\"kick\",\"user\":\"nobody\"}")
                .foreignMessage("{\"type\":\"subscribe\",\"channel\":\"tenant:globex:general\"}")
                .echoMessage(subscribe, publish)
                .maxConnections(Tokens.MAX_PER_USER)
                .messageRate(Rate.parse("50/PT1S"))
                .userMessageRate(Rate.parse("20/PT1S"), subscribe, publish)
                .only("origin", "auth", "authz", "inject", "size.oversized", "size.huge-fragments",
                        "size.huge-frame", "transport", "flood")
                .build());
    }

    private static String user(String prefix) {
        return prefix + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void messageWhenOversizedThenClose1009() throws Exception {
        try (Client client = join("big", "acme")) {
            client.send("{\"type\":\"ping\",\"pad\":\"" + "a".repeat(70_000) + "\"}");
            assertThat(client.awaitClose(java.time.Duration.ofSeconds(20))).isEqualTo(1009);
        }
    }
}
