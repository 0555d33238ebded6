package dev.wsguard.contract;

import dev.wsguard.contract.app.ContractEndpoint;
import dev.wsguard.contract.jwtapp.ContainerJwtApplication;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URL;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The second mechanism on the EE servers: the container authenticates the upgrade with its own MP-JWT
 * ({@code @LoginConfig(authMethod = "MP-JWT")}, a security constraint on the endpoint path), and wsguard uses the
 * identity it verified, while still enforcing the origin, the expiry and the scope rules.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ContainerJwtIT {

    private static final String WEB_XML = """
            <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
              <security-constraint>
                <web-resource-collection>
                  <web-resource-name>chat</web-resource-name>
                  <url-pattern>/contract</url-pattern>
                </web-resource-collection>
                <auth-constraint><role-name>user</role-name></auth-constraint>
              </security-constraint>
              <security-role><role-name>user</role-name></security-role>
            </web-app>
            """;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive war() {
        return ShrinkWrap.create(WebArchive.class, "container-jwt.war")
                .addPackage(ContractEndpoint.class.getPackage())
                .addClass(ContainerJwtApplication.class)
                .addAsResource(new StringAsset(Tokens.properties()), "META-INF/microprofile-config.properties")
                .setWebXML(new StringAsset(WEB_XML))
                .addAsLibraries(ContractIT.wsguardJars());
    }

    private URI endpoint() {
        return URI.create("ws://127.0.0.1:" + base.getPort() + base.getPath() + "contract");
    }

    @Test
    void identityWhenContainerVerifiedTokenThenWsguardUsesItWithItsScopes() throws Exception {
        try (Client client = Client.open(endpoint(), Tokens.valid(ContractSuite.user("cj")))) {
            client.send("{\"type\":\"whoami\"}");
            assertThat(client.next())
                    .isEqualTo("{\"type\":\"whoami\",\"verifier\":\"container\",\"scopes\":\"read\"}");
        }
    }

    @Test
    void handshakeWhenContainerVerifiedButOriginForeignThen403() throws Exception {
        RawUpgrade.Answer answer = RawUpgrade.send(endpoint(), Tokens.FOREIGN_ORIGIN,
                Tokens.valid(ContractSuite.user("cj")));
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.header("Sec-WebSocket-Accept")).isEmpty();
    }

    @Test
    void sessionWhenContainerVerifiedTokenExpiresThenClose4401() throws Exception {
        try (Client client = Client.open(endpoint(),
                Tokens.expiringIn(ContractSuite.user("cj"), Duration.ofSeconds(3)))) {
            assertThat(client.awaitClose(Duration.ofSeconds(20))).isEqualTo(4401);
        }
    }
}
