package dev.wsguard.examples.chat;

import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * DEV MODE ONLY: serves the demo page (plain HTML, CSS and one script from {@code /demo/} on the class path) at the
 * server root. Only the listed files are served; anything else gets an empty 404.
 *
 * <p>Every answer carries a strict Content-Security-Policy: scripts, styles and images from this origin only (no
 * inline script, so markup that slips into the page cannot run), network access only to this origin and its own
 * {@code ws://} endpoint, no plugins, no {@code <base>}, no framing. The page renders received text with
 * {@code textContent}; the policy is the second line of defence. Immutable and thread-safe.
 */
final class DemoPage extends HttpHandler {

    /** One served file, read from the jar once. */
    private record Asset(String contentType, byte[] body) {

        static Asset load(String file, String contentType) {
            try (InputStream in = DemoPage.class.getResourceAsStream("/demo/" + file)) {
                if (in == null) {
                    throw new IllegalStateException("demo page resource missing from the jar: /demo/" + file);
                }
                return new Asset(contentType, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final Map<String, Asset> assets = Map.of(
            "/", Asset.load("index.html", "text/html;charset=UTF-8"),
            "/demo.js", Asset.load("demo.js", "text/javascript;charset=UTF-8"),
            "/demo.css", Asset.load("demo.css", "text/css;charset=UTF-8"));
    private final String policy;

    /**
     * @param httpOrigins the origins the page is served from, e.g. {@code http://127.0.0.1:8025}; their
     *     {@code ws://} (or {@code wss://}) twins are the only WebSocket targets the page may open
     */
    DemoPage(String... httpOrigins) {
        StringBuilder sockets = new StringBuilder();
        for (String origin : httpOrigins) {
            sockets.append(' ').append(origin.replaceFirst("^http", "ws"));
        }
        this.policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'"
                + sockets + "; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    @Override
    public void service(Request request, Response response) throws IOException {
        Asset asset = assets.get(request.getRequestURI());
        if (asset == null) {
            response.setStatus(404);
            response.setContentLength(0);
            return;
        }
        if (request.getMethod() != Method.GET && request.getMethod() != Method.HEAD) {
            response.setStatus(405);
            response.setHeader("Allow", "GET, HEAD");
            response.setContentLength(0);
            return;
        }
        response.setHeader("Content-Security-Policy", policy);
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        noStore(response);
        response.setContentType(asset.contentType());
        response.setContentLength(asset.body().length);
        if (request.getMethod() == Method.GET) {
            response.getOutputStream().write(asset.body());
        }
    }

    /** Dev answers hold tokens or live state: never cached. */
    static void noStore(Response response) {
        response.setHeader("Cache-Control", "no-store");
    }
}
