package dev.wsguard.probe;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --cookie-name} / {@code cookieName}: the example chat reading its token only from a cookie of its own name
 * ({@code wsguard.token.sources=cookie}, {@code mp.jwt.token.cookie=chat_session}). The kit carries the valid token in
 * that cookie, so the controls pass and the attacks are judged; under another name the chat sees no token, the control
 * fails and the run proves nothing (exit 2): the name given is what carries the token.
 */
class CookieCarrierIT {

    private static final String COOKIE = "chat_session";

    @TempDir
    static Path dir;

    @Test
    void cookieNameWhenChatReadsThatCookieThenControlsPassAndAttacksRefused() throws Exception {
        try (GuardedChat chat = GuardedChat.start(dir, "wsguard.token.sources=cookie",
                "mp.jwt.token.cookie=" + COOKIE)) {
            Report report = chat.suite().cookieName(COOKIE)
                    .only("origin.foreign", "origin.cookie", "auth.none", "auth.alg-none", "auth.query-token").run();
            System.out.println(report.toTable());
            assertThat(report.results()).extracting(r -> r.attack().id() + " " + r.verdict()).containsExactly(
                    "control.handshake PASS", "control.sample PASS", "origin.foreign PASS", "origin.cookie PASS",
                    "auth.none PASS", "auth.alg-none PASS", "auth.query-token PASS");

            assertThat(cli(chat, COOKIE)).as("the CLI with the chat's cookie name").isZero();
            assertThat(cli(chat, "Bearer")).as("the CLI with another cookie name: no token, control refused")
                    .isEqualTo(2);
        }
    }

    /** The CLI jar's exit code for a short run with the token in cookie {@code name}. */
    private static int cli(GuardedChat chat, String name) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", System.getProperty("probe.jar", "target/wsguard-probe.jar"), chat.uri.toString(),
                "--origin", GuardedChat.ORIGIN, "--token", chat.carol(), "--cookie-name", name,
                "--handshake-rate", GuardedChat.HANDSHAKE_RATE.toString(), "--only", "origin.cookie,auth.none"));
        Process probe = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        probe.getInputStream().transferTo(out);
        assertThat(probe.waitFor(2, TimeUnit.MINUTES)).isTrue();
        System.out.println(out.toString(StandardCharsets.UTF_8));
        return probe.exitValue();
    }
}
