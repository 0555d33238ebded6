package dev.wsguard.probe;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CLI jar, as an operator runs it, against the guarded example chat: no finding, exit code 0, and the three
 * reports written. Only the attacks that cannot apply here are not run: plain ws:// (the URL is ws://), the client
 * that stops reading (the chat has no message with a large answer) and the unknown key id (the chat's tokens name
 * none: it verifies with one key).
 */
class GuardedChatIT extends AgainstGuardedChat {

    @Test
    void cliWhenEndpointGuardedThenNoFindingAndExit0() throws Exception {
        Path lowToken = Files.writeString(dir.resolve("alice.jwt"), chat.alice());
        // Kept after the build, for a look at the reports (and the README's excerpt).
        Path reports = Files.createDirectories(Path.of("target", "probe-reports"));
        Path json = reports.resolve("guarded-chat.json");
        Path html = reports.resolve("guarded-chat.html");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", System.getProperty("probe.jar", "target/wsguard-probe.jar"), chat.uri.toString(),
                "--origin", GuardedChat.ORIGIN, "--token", chat.carol(),
                "--low-token-command", "cat " + lowToken, "--expired-token", chat.expired(),
                "--public-key", chat.publicKey.toString(), "--signing-key", chat.signingKey.toString(),
                "--admin-message", GuardedChat.ADMIN_MESSAGE, "--foreign-message", GuardedChat.FOREIGN_MESSAGE,
                "--echo-message", "[" + GuardedChat.SUBSCRIBE + "," + GuardedChat.PUBLISH + "]",
                "--user-message-rate", GuardedChat.PUBLISH_RATE.toString(),
                "--user-rate-message", "[" + GuardedChat.SUBSCRIBE + "," + GuardedChat.PUBLISH + "]",
                "--handshake-rate", GuardedChat.HANDSHAKE_RATE.toString(),
                "--message-rate", GuardedChat.MESSAGE_RATE.toString(),
                "--max-connections", String.valueOf(GuardedChat.MAX_CONNECTIONS),
                "--handshake-timeout", GuardedChat.HANDSHAKE_TIMEOUT.toString(),
                "--idle-timeout", GuardedChat.IDLE_TIMEOUT.toString(),
                "--json", json.toString(), "--html", html.toString()));
        Process probe = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        probe.getInputStream().transferTo(out);
        assertThat(probe.waitFor(3, TimeUnit.MINUTES)).isTrue();
        String table = out.toString(StandardCharsets.UTF_8);
        System.out.println(table);

        assertThat(probe.exitValue()).as(table).isZero();
        assertThat(table).contains("ATTACK", "EXPECTED", "OBSERVED", "VERDICT", "0 finding(s)")
                .doesNotContain(chat.carol().split("\\.")[2]);
        assertThat(table.lines().filter(l -> l.endsWith("NOT_RUN")).map(l -> l.split(" ")[0]))
                .containsExactlyInAnyOrder("transport.plain-ws", "slow.reader", "auth.unknown-kid");
        String report = Files.readString(json);
        assertThat(report).contains("\"auditable\": true", "\"finding\": 0", "\"id\": \"origin.prefix\"")
                .doesNotContain("\"verdict\": \"FINDING\"");
        // The markup reached the chat's echo (a post to a joined channel) and came back as data, not refused early.
        assertThat(table.lines().filter(l -> l.startsWith("inject.markup-echo")))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("only inside a JSON string").endsWith("PASS");
        assertThat(Files.readString(html)).startsWith("<!DOCTYPE html>").contains("auth.alg-none")
                .doesNotContain("<script", "http://", "https://wsguard").contains("&quot;");
    }
}
