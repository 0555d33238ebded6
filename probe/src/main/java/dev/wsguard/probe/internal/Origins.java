package dev.wsguard.probe.internal;

import java.net.URI;

/**
 * The origins a cross-site page could present: another site, look-alikes of the allowed host that defeat
 * {@code endsWith}, {@code startsWith} and {@code contains} checks, {@code null}, none, and the allowed host under
 * another scheme or port.
 */
final class Origins {

    private Origins() {
    }

    static String foreign() {
        return "https://wsguard-probe.invalid";
    }

    static String prefixed(String origin) {
        URI o = URI.create(origin);
        return o.getScheme() + "://evil" + o.getHost() + port(o);
    }

    static String suffixed(String origin) {
        URI o = URI.create(origin);
        return o.getScheme() + "://" + o.getHost() + ".wsguard-probe.invalid" + port(o);
    }

    static String otherScheme(String origin) {
        URI o = URI.create(origin);
        return ("https".equalsIgnoreCase(o.getScheme()) ? "http" : "https") + "://" + o.getHost() + port(o);
    }

    static String otherPort(String origin) {
        URI o = URI.create(origin);
        int usual = "https".equalsIgnoreCase(o.getScheme()) ? 8443 : 8080;
        int other = o.getPort() == usual ? usual + 1 : usual;
        return o.getScheme() + "://" + o.getHost() + ":" + other;
    }

    /** Why {@code origin.missing} does not apply, or null. */
    static String missingAllowed(Target target) {
        return target.missingOriginAllowed() ? "the endpoint is declared to accept requests without Origin" : null;
    }

    private static String port(URI o) {
        return o.getPort() > 0 ? ":" + o.getPort() : "";
    }
}
