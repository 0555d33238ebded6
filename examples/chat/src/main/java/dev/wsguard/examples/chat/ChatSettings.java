package dev.wsguard.examples.chat;

import java.util.Optional;
import java.util.ServiceConfigurationError;

/**
 * The chat endpoint's own setting, read from the same place as wsguard's keys on each runtime: through MicroProfile
 * Config where an implementation is present (the WAR on Payara or WildFly, so the WAR's
 * {@code microprofile-config.properties}, system properties and environment variables all count), else from system
 * properties (the jar). A bad value stops either at start-up: {@link ChatServer} checks it before it starts, and
 * {@link ChatSettingsListener} when the WAR is deployed.
 */
final class ChatSettings {

    static final String MAX_SUBSCRIPTIONS = "wsguard.chat.max-subscriptions";
    static final int DEFAULT_MAX_SUBSCRIPTIONS = 32;

    private static final boolean MP_CONFIG_API = present("org.eclipse.microprofile.config.ConfigProvider");

    private ChatSettings() {
    }

    /**
     * How many channels one session may have joined at once: {@value #MAX_SUBSCRIPTIONS}, default
     * {@value #DEFAULT_MAX_SUBSCRIPTIONS}.
     *
     * @throws IllegalArgumentException when the key is set to anything but a whole number of at least 1
     */
    static int maxSubscriptions() {
        Optional<String> value = value(MAX_SUBSCRIPTIONS);
        if (value.isEmpty()) {
            return DEFAULT_MAX_SUBSCRIPTIONS;
        }
        try {
            int max = Integer.parseInt(value.get().strip());
            if (max >= 1) {
                return max;
            }
        } catch (NumberFormatException e) {
            // answered below, as for a number under 1
        }
        throw new IllegalArgumentException(MAX_SUBSCRIPTIONS + " must be a whole number of at least 1");
    }

    private static Optional<String> value(String key) {
        if (MP_CONFIG_API) {
            Optional<String> configured = MicroProfile.value(key);
            if (configured != null) {
                return configured;
            }
        }
        return Optional.ofNullable(System.getProperty(key)).filter(v -> !v.isBlank());
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, ChatSettings.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Loaded only when the MicroProfile Config API is there, so the jar runs without it. */
    private static final class MicroProfile {
        /** The value, or null when the API is present but no implementation is. */
        static Optional<String> value(String key) {
            try {
                return org.eclipse.microprofile.config.ConfigProvider.getConfig(ChatSettings.class.getClassLoader())
                        .getOptionalValue(key, String.class).filter(v -> !v.isBlank());
            } catch (IllegalStateException | ServiceConfigurationError e) {
                return null;
            }
        }
    }
}
