package dev.wsguard.examples.chat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Installs the Debian packages a test needs (Chromium, nginx) when they are missing, so that the README's test
 * command works on a clean machine. Never skips: a test that cannot get its program fails and says why.
 */
public final class DebianPackages {

    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);

    private DebianPackages() {
    }

    /**
     * Makes sure {@code program} exists, installing {@code packages} with apt-get otherwise.
     *
     * @return the program's path
     */
    public static synchronized Path ensure(String program, String... packages) {
        Path path = Path.of(program);
        if (Files.isExecutable(path)) {
            return path;
        }
        if (!install(packages)) {
            // A clean machine may have no package lists yet.
            if (!exec(List.of("apt-get", "update")) || !install(packages)) {
                throw new IllegalStateException("could not install " + String.join(" ", packages)
                        + " with apt-get; install it by hand (" + program + " is needed by this test)");
            }
        }
        if (!Files.isExecutable(path)) {
            throw new IllegalStateException(program + " still missing after installing " + String.join(" ", packages));
        }
        return path;
    }

    private static boolean install(String... packages) {
        List<String> args = new ArrayList<>(List.of("apt-get", "install", "-y", "--no-install-recommends"));
        args.addAll(List.of(packages));
        return exec(args);
    }

    private static boolean exec(List<String> args) {
        try {
            ProcessBuilder builder = new ProcessBuilder(args).inheritIO();
            builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process process = builder.start();
            if (!process.waitFor(INSTALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
