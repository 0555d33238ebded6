package dev.wsguard.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * Where configuration keys are read. When a MicroProfile Config implementation is present (Payara, WildFly, or one
 * the application adds), its {@code Config} is used, with every source the application or server defines. Otherwise
 * the sources MicroProfile Config defines by default are read directly, in its order: system properties (ordinal
 * 400), environment variables (300, with MP Config's name mapping) and every
 * {@code META-INF/microprofile-config.properties} on the class path (100).
 */
public final class ConfigLookup {

    private ConfigLookup() {
    }

    private static final boolean MP_CONFIG_API = Classes.present("org.eclipse.microprofile.config.ConfigProvider");

    /**
     * MicroProfile Config's {@code Config} of the calling application when an implementation is present, else a
     * lookup over the three default sources (reading the properties files once).
     */
    public static Function<String, Optional<String>> standard() {
        if (MP_CONFIG_API) {
            Function<String, Optional<String>> config = MicroProfile.config();
            if (config != null) {
                return config;
            }
        }
        return defaultSources();
    }

    /**
     * The names of the configured keys that start with {@code prefix}: from MicroProfile Config's property names when
     * an implementation is present, else from system properties and the {@code microprofile-config.properties}
     * files (environment variables cannot be mapped back to names with dashes, and are left out).
     */
    public static java.util.Set<String> names(String prefix) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        if (MP_CONFIG_API) {
            Iterable<String> all = MicroProfile.names();
            if (all != null) {
                all.forEach(name -> {
                    if (name.startsWith(prefix)) {
                        names.add(name);
                    }
                });
                return names;
            }
        }
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith(prefix)) {
                names.add(name);
            }
        }
        for (String name : classpathProperties().stringPropertyNames()) {
            if (name.startsWith(prefix)) {
                names.add(name);
            }
        }
        return names;
    }

    /** The three default sources, whether or not MicroProfile Config is present. */
    public static Function<String, Optional<String>> defaultSources() {
        Properties files = classpathProperties();
        return key -> firstNonBlank(System.getProperty(key), environment(key), files.getProperty(key));
    }


    /** Loaded only when the MicroProfile Config API is on the class path. */
    private static final class MicroProfile {
        /** The application's config, or null when the API is there but no implementation is. */
        static Function<String, Optional<String>> config() {
            org.eclipse.microprofile.config.Config config;
            try {
                config = org.eclipse.microprofile.config.ConfigProvider.getConfig();
            } catch (IllegalStateException | java.util.ServiceConfigurationError e) {
                return null;
            }
            // MP Config already treats an empty value as missing; blank is treated the same as elsewhere.
            return key -> config.getOptionalValue(key, String.class).filter(v -> !v.isBlank());
        }

        /** Every property name the application's config knows, or null without an implementation. */
        static Iterable<String> names() {
            try {
                return org.eclipse.microprofile.config.ConfigProvider.getConfig().getPropertyNames();
            } catch (IllegalStateException | java.util.ServiceConfigurationError e) {
                return null;
            }
        }
    }

    private static Optional<String> firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /** MP Config's environment mapping: exact name, then non-alphanumerics as '_', then that upper-cased. */
    private static String environment(String key) {
        String value = System.getenv(key);
        if (value != null) {
            return value;
        }
        String sanitized = key.replaceAll("[^A-Za-z0-9]", "_");
        value = System.getenv(sanitized);
        return value != null ? value : System.getenv(sanitized.toUpperCase(Locale.ROOT));
    }

    private static Properties classpathProperties() {
        Properties merged = new Properties();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = ConfigLookup.class.getClassLoader();
        }
        try {
            Enumeration<URL> urls = loader.getResources("META-INF/microprofile-config.properties");
            while (urls.hasMoreElements()) {
                try (InputStream in = urls.nextElement().openStream()) {
                    Properties p = new Properties();
                    p.load(in);
                    p.forEach(merged::putIfAbsent);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read META-INF/microprofile-config.properties", e);
        }
        return merged;
    }
}
