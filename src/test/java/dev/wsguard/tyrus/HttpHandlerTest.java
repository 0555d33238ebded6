package dev.wsguard.tyrus;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Plain HTTP next to the endpoints: registered handlers answer, everything else is an empty 404. */
class HttpHandlerTest {

    private final HttpClient client = HttpClient.newHttpClient();
    private GuardedServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = GuardedServer.builder()
                .endpoint(TestEndpoints.Echo.class)
                .httpHandler("/dev", new HttpHandler() {
                    @Override
                    public void service(Request request, Response response) throws Exception {
                        response.setContentType("text/plain");
                        response.setCharacterEncoding("UTF-8");
                        response.getWriter().write("dev page " + request.getRequestURI());
                    }
                })
                .httpHandler("/boom", new HttpHandler() {
                    @Override
                    public void service(Request request, Response response) {
                        throw new IllegalStateException("secret-internal-detail");
                    }
                })
                .build();
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void getWhenHandlerRegisteredThenServed() throws Exception {
        HttpResponse<String> response = get("/dev");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("dev page /dev");
    }

    @Test
    void getWhenPathBelowHandlerThenServed() throws Exception {
        HttpResponse<String> response = get("/dev/status");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("dev page /dev/status");
    }

    @Test
    void getWhenNoHandlerClaimsPathThen404WithEmptyBody() throws Exception {
        for (String path : new String[] {"/", "/unknown", "/echo", "/developer"}) {
            HttpResponse<String> response = get(path);

            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.body()).as(path).isEmpty();
        }
    }

    @Test
    void getWhenHandlerThrowsThen500WithEmptyBody() throws Exception {
        HttpResponse<String> response = get("/boom");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).isEmpty();
    }

    private HttpResponse<String> get(String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.port() + path);
        return client.send(HttpRequest.newBuilder(uri).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
