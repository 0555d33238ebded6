package dev.wsguard.internal.jwt;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On Tyrus standalone without Yasson there is no JSON-P, and MP-JWT's {@code Claims} enum (used by JsonWebToken's
 * default methods) cannot load: every accessor of the identity must work anyway. Runs the probe in a class loader
 * built from the test class path minus JSON-P, its implementation and Yasson.
 */
class VerifiedTokenWithoutJsonPTest {

    @Test
    void accessorsWhenJsonPAbsentThenWorkWithoutLoadingClaimsEnum() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            String name = new File(entry).getName();
            if (name.startsWith("jakarta.json") || name.startsWith("parsson") || name.startsWith("yasson")) {
                continue;
            }
            urls.add(new File(entry).toURI().toURL());
        }
        try (URLClassLoader isolated = new URLClassLoader(urls.toArray(URL[]::new),
                ClassLoader.getPlatformClassLoader())) {
            assertThat(urls).isNotEmpty();
            Class<?> probe = Class.forName(NoJsonProbe.class.getName(), true, isolated);
            String result = (String) probe.getMethod("run").invoke(null);
            assertThat(result).isEqualTo("claimsLoadable=false name=alice raw=null iss=https://issuer.test"
                    + " aud=[wsguard-test] sub=alice jti=true exp>iat=true groups=[user]");
        }
    }
}
