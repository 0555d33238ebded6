package dev.wsguard.tyrus;

import org.glassfish.grizzly.http.server.ErrorPageGenerator;
import org.glassfish.grizzly.http.server.Request;

/**
 * Error pages without a body. Grizzly's default page names the server and its version, and an error from a
 * handler can carry the exception's message; none of that belongs on the wire.
 */
enum BodylessErrors implements ErrorPageGenerator {
    INSTANCE;

    @Override
    public String generate(Request request, int status, String reasonPhrase, String description,
            Throwable exception) {
        return "";
    }
}
