package dev.wsguard.tyrus;

import java.io.IOException;

import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;

/**
 * Adds {@code Strict-Transport-Security: max-age=31536000} to every 101 answer on a TLS listener, so a browser that
 * once reached the server over {@code wss://} refuses a downgraded {@code ws://} or {@code http://} address for a
 * year. Only on TLS: the header is ignored over plain text and would only mislead. Stateless; one instance serves
 * all connections.
 */
final class StrictTransportSecurityFilter extends BaseFilter {

    static final String HEADER = "Strict-Transport-Security";
    static final String ONE_YEAR = "max-age=31536000";

    private static final int SWITCHING_PROTOCOLS = 101;

    @Override
    public NextAction handleWrite(FilterChainContext ctx) throws IOException {
        if (ctx.getMessage() instanceof HttpPacket packet
                && packet.getHttpHeader() instanceof HttpResponsePacket response
                && !response.isCommitted()
                && response.getStatus() == SWITCHING_PROTOCOLS
                && !response.containsHeader(HEADER)) {
            response.setHeader(HEADER, ONE_YEAR);
        }
        return ctx.getInvokeAction();
    }
}
