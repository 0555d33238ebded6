package dev.wsguard.tyrus;

import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * Answers every plain HTTP request no other handler claims with an empty {@code 404}. Grizzly's own answer names the
 * server and echoes the requested path.
 */
final class NotFoundHandler extends HttpHandler {

    @Override
    public void service(Request request, Response response) {
        response.setStatus(404);
        response.setContentLength(0);
    }
}
