package dev.wsguard.internal;

/**
 * Whether an optional dependency is on wsguard's class path (Tyrus, CDI, MicroProfile Config, Micrometer), so that
 * the code which needs it is only loaded where it is. Thread-safe.
 */
public final class Classes {

    private Classes() {
    }

    /** Whether {@code className} can be loaded by wsguard's class loader; the class is not initialized. */
    public static boolean present(String className) {
        try {
            Class.forName(className, false, Classes.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
