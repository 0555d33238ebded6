package dev.wsguard.contract;

import dev.wsguard.contract.app.ContractConfigSource;
import dev.wsguard.contract.app.ContractEndpoint;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract on a managed Jakarta EE server: WildFly 38 or Payara Micro 6, whichever adapter the failsafe
 * execution put on the class path. The WAR is what a user builds: the endpoint, its messages, a
 * {@code microprofile-config.properties}, and wsguard with its runtime dependencies in {@code WEB-INF/lib}; no
 * {@code web.xml}.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ContractIT extends ContractSuite {

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive war() {
        return war("contract.war");
    }

    /** The contract application under {@code name}. */
    static WebArchive war(String name) {
        return ShrinkWrap.create(WebArchive.class, name)
                .addPackage(ContractEndpoint.class.getPackage())
                // The allowlist comes from a ConfigSource only MicroProfile Config knows: without it the endpoint
                // would not deploy, so every green test also proves wsguard reads the container's MP Config.
                .addAsResource(new StringAsset(Tokens.properties(Tokens.ORIGINS_KEY)),
                        "META-INF/microprofile-config.properties")
                .addAsServiceProvider(ConfigSource.class, ContractConfigSource.class)
                .addAsLibraries(wsguardJars());
    }

    /** wsguard and its runtime dependencies, as Maven packages them into a WAR. */
    static File[] wsguardJars() {
        return jarsOf(dev.wsguard.WsGuard.class, org.eclipse.microprofile.jwt.JsonWebToken.class,
                io.github.resilience4j.ratelimiter.RateLimiter.class, io.github.resilience4j.core.CallableUtils.class,
                org.slf4j.Logger.class, com.nimbusds.jose.JWSObject.class);
    }

    /** The jars holding these classes, as Maven would package wsguard's runtime dependencies into the WAR. */
    static File[] jarsOf(Class<?>... classes) {
        File[] jars = new File[classes.length];
        for (int i = 0; i < classes.length; i++) {
            try {
                jars[i] = new File(classes[i].getProtectionDomain().getCodeSource().getLocation().toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return jars;
    }

    @Test
    void eventsWhenHandshakeRefusedThenCdiObserverReceivesThem() throws Exception {
        RawUpgrade.Answer answer = RawUpgrade.send(endpoint(), Tokens.FOREIGN_ORIGIN, Tokens.valid(user("cdi")));
        assertThat(answer.status()).isEqualTo(403);
        try (Client client = Client.open(endpoint(), Tokens.valid(user("cdi")))) {
            client.send("{\"type\":\"events\",\"reason\":\"ORIGIN_NOT_ALLOWED\"}");
            assertThat(client.next()).matches("\\{\"type\":\"events\",\"count\":[1-9][0-9]*}");
        }
    }

    @Test
    void standardEndpointWhenDeployedInWarThenWrappedAndCreatedThroughCdi() throws Exception {
        try (Client client = Client.open(endpoint("standard-contract"), Tokens.valid(user("cdi")))) {
            client.send("{\"type\":\"injected\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"injected\",\"probe\":true,\"opened\":true}");
        }
    }

    @Test
    void handshakeWhenOverTlsThenStrictTransportSecurityOnThe101() throws Exception {
        // The servers' own https listeners, with self-signed certificates they make themselves: WildFly's moved by
        // the port offset, Payara Micro's from --sslport in arquillian.xml.
        int httpsPort = "wildfly".equals(System.getProperty("arquillian.launch")) ? 8443 + 300 : 18443;
        URI secure = URI.create("https://127.0.0.1:" + httpsPort + base.getPath() + "contract");
        RawUpgrade.Answer upgraded = RawUpgrade.request(secure, null, List.<String[]>of(
                new String[] {"Origin", Tokens.ORIGIN},
                new String[] {"Authorization", "Bearer " + Tokens.valid(user("tls"))}), trustingTls());
        assertThat(upgraded.status()).isEqualTo(101);
        assertThat(upgraded.header("Strict-Transport-Security")).hasValue("max-age=31536000");

        RawUpgrade.Answer plain = RawUpgrade.send(endpoint(), Tokens.ORIGIN, Tokens.valid(user("plain")));
        assertThat(plain.status()).isEqualTo(101);
        assertThat(plain.header("Strict-Transport-Security")).as("never over plain text").isEmpty();
    }

    /** TLS that trusts the server's self-signed certificate: this test is about the header, not the chain. */
    private static SocketFactory trustingTls() throws Exception {
        TrustManager[] trustAll = {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }};
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustAll, null);
        return context.getSocketFactory();
    }

    @Override
    URI endpoint() {
        // Payara reports its interface address; the servers listen on loopback too.
        return URI.create("ws://127.0.0.1:" + base.getPort() + base.getPath() + "contract");
    }
}
