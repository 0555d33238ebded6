package dev.wsguard.examples.chat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An admin's kick reaches the admin's own tenant only (issue 17: acme's admin could kick globex's users). The jar runs
 * outside dev mode, with tokens of a {@link TestIdp} carrying the {@code tenant} claim; a kick of another tenant's
 * user is answered exactly as a kick of a name nobody has, so it tells nothing about who exists elsewhere.
 */
class TenantKickIT {

    @TempDir
    static Path dir;
    private static ConfiguredChat server;

    @BeforeAll
    static void start() throws Exception {
        server = ConfiguredChat.start(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void kickWhenUserIsOfAnotherTenantThenAnsweredAsUnknownUserAndUserKeepsReceiving() throws Exception {
        try (ChatClient admin = server.join("carol", "acme", "admin"); ChatClient bob = server.join("bob", "globex");
             ChatClient gina = server.join("gina", "globex")) {
            subscribe(bob, "tenant:globex:general");
            subscribe(gina, "tenant:globex:general");

            assertThat(admin.send(kick("nobody")).next()).isEqualTo(kicked("nobody", 0));
            assertThat(admin.send(kick("bob")).next()).isEqualTo(kicked("bob", 0));

            gina.send("{\"type\":\"publish\",\"channel\":\"tenant:globex:general\",\"text\":\"still there?\"}");
            assertThat(bob.next()).isEqualTo("{\"channel\":\"tenant:globex:general\",\"from\":\"gina\","
                    + "\"text\":\"still there?\",\"type\":\"message\"}");
            assertThat(bob.send("{\"type\":\"ping\"}").next()).isEqualTo("{\"type\":\"pong\"}");
            assertThat(bob.closed).isNotDone();
        }
    }

    @Test
    void kickWhenUserIsOfOwnTenantThenItsSessionsClose1008AndNamesakeOfOtherTenantStays() throws Exception {
        try (ChatClient admin = server.join("carol", "acme", "admin"); ChatClient sam = server.join("sam", "acme");
             ChatClient samAgain = server.join("sam", "acme"); ChatClient globexSam = server.join("sam", "globex")) {
            assertThat(admin.send(kick("sam")).next()).isEqualTo(kicked("sam", 2));
            assertThat(sam.closeCode()).isEqualTo(1008);
            assertThat(samAgain.closeCode()).isEqualTo(1008);
            assertThat(globexSam.send("{\"type\":\"ping\"}").next()).isEqualTo("{\"type\":\"pong\"}");
            assertThat(globexSam.closed).isNotDone();
        }
    }

    @Test
    void kickWhenAdminHasNoTenantThenNoSessionCloses() throws Exception {
        String noTenant = server.idp.token("root", Map.of("scope", "chat:read chat:write", "groups", List.of("admin")));
        try (ChatClient alice = server.join("alice", "acme"); ChatClient admin = server.connect(noTenant)) {
            assertThat(admin.next()).isEqualTo("{\"type\":\"welcome\",\"user\":\"root\"}");
            assertThat(admin.send(kick("alice")).next()).isEqualTo(kicked("alice", 0));
            assertThat(alice.send("{\"type\":\"ping\"}").next()).isEqualTo("{\"type\":\"pong\"}");
        }
    }

    private static void subscribe(ChatClient c, String channel) throws Exception {
        assertThat(c.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}").next())
                .isEqualTo("{\"type\":\"subscribed\",\"channel\":\"" + channel + "\"}");
    }

    private static String kick(String user) {
        return "{\"type\":\"kick\",\"user\":\"" + user + "\"}";
    }

    private static String kicked(String user, int sessions) {
        return "{\"type\":\"kicked\",\"user\":\"" + user + "\",\"sessions\":" + sessions + "}";
    }
}
