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
 * The configuration sources MicroProfile Config defines by default, in its order: system properties (ordinal
 * 400), environment variables (300, with MP Config's name mapping) and every
 * {@code META-INF/microprofile-config.properties} on the class path (100).
 */
public final class ConfigLookup {

    private ConfigLookup() {
    }

    /** A lookup over the three default sources, reading the properties files once. */
    public static Function<String, Optional<String>> standard() {
        Properties files = classpathProperties();
        return key -> firstNonBlank(System.getProperty(key), environment(key), files.getProperty(key));
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
