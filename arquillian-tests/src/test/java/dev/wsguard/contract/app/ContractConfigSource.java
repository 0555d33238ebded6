package dev.wsguard.contract.app;

import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.Map;
import java.util.Set;

/**
 * A MicroProfile Config source of the application, registered as a service: it alone supplies the origin
 * allowlist on the EE runtimes, so the endpoint deploys only if wsguard reads MicroProfile Config.
 */
public class ContractConfigSource implements ConfigSource {

    /** Must equal the suite's {@code Tokens.ORIGIN}; the app package does not see test classes. */
    private static final Map<String, String> VALUES = Map.of("wsguard.origins.allowed", "https://app.contract.test");

    @Override
    public Set<String> getPropertyNames() {
        return VALUES.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return VALUES.get(propertyName);
    }

    @Override
    public String getName() {
        return "contract";
    }
}
