package dev.wsguard.examples.chat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A session joins at most {@code wsguard.chat.max-subscriptions} channels (issue 17: 3,000 subscriptions in 9 s,
 * each held for the session's life). The jar runs with a bound of 3 outside dev mode, so that a test can refresh a
 * token with other claims; past the bound a subscribe gets the error frame {@code forbidden} and joins nothing.
 */
class SubscriptionBoundIT {

    private static final String FORBIDDEN = "{\"type\":\"error\",\"code\":\"forbidden\"}";

    @TempDir
    static Path dir;
    private static ConfiguredChat server;

    @BeforeAll
    static void start() throws Exception {
        server = ConfiguredChat.start(dir, "wsguard.chat.max-subscriptions=3");
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void subscribeWhenBoundReachedThenForbiddenAndChannelNotJoined() throws Exception {
        try (ChatClient alice = server.join("alice", "acme")) {
            for (String room : new String[] {"a", "b", "c"}) {
                assertThat(subscribe(alice, "tenant:acme:" + room)).isEqualTo(subscribed("tenant:acme:" + room));
            }
            assertThat(subscribe(alice, "tenant:acme:d")).isEqualTo(FORBIDDEN);
            assertThat(alice.send(publish("tenant:acme:d")).next()).as("not joined").isEqualTo(FORBIDDEN);

            assertThat(alice.send(publish("tenant:acme:a")).next()).as("the joined ones still work")
                    .isEqualTo(delivered("tenant:acme:a", "alice"));
        }
    }

    @Test
    void subscribeWhenChannelAlreadyJoinedThenItCountsOnce() throws Exception {
        try (ChatClient alice = server.join("alice", "acme")) {
            for (String room : new String[] {"a", "a", "b", "a", "b", "c"}) {
                assertThat(subscribe(alice, "tenant:acme:" + room)).isEqualTo(subscribed("tenant:acme:" + room));
            }
            assertThat(subscribe(alice, "tenant:acme:d")).isEqualTo(FORBIDDEN);
            assertThat(subscribe(alice, "tenant:acme:c")).as("joined already").isEqualTo(subscribed("tenant:acme:c"));
        }
    }

    @Test
    void subscribeWhenBroadcastDroppedAChannelThenItsRoomIsFree() throws Exception {
        try (ChatClient dave = server.join("dave", "acme"); ChatClient carol = server.join("carol", "acme")) {
            for (String room : new String[] {"a", "b", "c"}) {
                assertThat(subscribe(dave, "tenant:acme:" + room)).isEqualTo(subscribed("tenant:acme:" + room));
            }
            // dave moves to initech: the refreshed token no longer lets him read acme's rooms.
            String initech = server.idp.chatUser("dave", "initech");
            assertThat(dave.send("{\"type\":\"auth\",\"token\":\"" + initech + "\"}").next())
                    .isEqualTo("{\"type\":\"auth\",\"status\":\"ok\"}");
            assertThat(subscribe(dave, "tenant:initech:x")).as("still three joined").isEqualTo(FORBIDDEN);

            assertThat(subscribe(carol, "tenant:acme:a")).isEqualTo(subscribed("tenant:acme:a"));
            assertThat(carol.send(publish("tenant:acme:a")).next()).isEqualTo(delivered("tenant:acme:a", "carol"));
            assertThat(dave.poll(300)).as("skipped and unsubscribed from acme:a").isNull();

            assertThat(subscribe(dave, "tenant:initech:x")).isEqualTo(subscribed("tenant:initech:x"));
        }
    }

    @Test
    void startWhenBoundIsNotAPositiveWholeNumberThenRefusesToStart() throws Exception {
        for (String value : new String[] {"0", "many"}) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dwsguard.port=0", "-Dwsguard.chat.max-subscriptions=" + value, "-jar",
                    Path.of("target", "wsguard-chat.jar").toString()).redirectErrorStream(true).start();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(value).isEqualTo(2);
            assertThat(out).as(value).contains("wsguard chat did not start: wsguard.chat.max-subscriptions must be"
                    + " a whole number of at least 1").doesNotContain("wsguard chat ready");
        }
    }

    private static String subscribe(ChatClient c, String channel) throws Exception {
        return c.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}").next();
    }

    private static String subscribed(String channel) {
        return "{\"type\":\"subscribed\",\"channel\":\"" + channel + "\"}";
    }

    private static String publish(String channel) {
        return "{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"text\":\"hi\"}";
    }

    private static String delivered(String channel, String from) {
        return "{\"channel\":\"" + channel + "\",\"from\":\"" + from + "\",\"text\":\"hi\",\"type\":\"message\"}";
    }
}
