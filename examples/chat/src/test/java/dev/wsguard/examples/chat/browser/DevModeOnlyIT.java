package dev.wsguard.examples.chat.browser;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo page, the token issuer, the cookie login and the events feed exist in dev mode only: with a real
 * identity provider configured, none of them is served.
 */
class DevModeOnlyIT {

    @Test
    void devEndpointsWhenJwtConfiguredThenNotServed() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(generator.generateKeyPair().getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        try (DemoServer server = DemoServer.start("mp.jwt.verify.publickey=" + pem,
                "mp.jwt.verify.issuer=https://idp.test", "mp.jwt.verify.audiences=chat",
                "wsguard.origins.allowed=https://chat.example.test")) {
            assertThat(server.page).as("no demo page announced").isNull();
            assertThat(server.output()).noneMatch(line -> line.contains("DEV MODE"));
            HttpClient http = HttpClient.newHttpClient();
            for (String path : List.of("/", "/demo.js", "/demo.css", "/dev/token?user=alice", "/dev/events")) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(server.origin + path))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(path).isEqualTo(404);
                assertThat(response.body()).as(path).isEmpty();
            }
            HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(server.origin
                    + "/dev/login?user=alice")).POST(HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).isEqualTo(404);
            assertThat(login.headers().firstValue("Set-Cookie")).isEmpty();
        }
    }
}
