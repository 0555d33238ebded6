package dev.wsguard.probe.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Usage errors exit 2 before any connection is made. */
class ProbeCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return ProbeCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void runWhenHelpThenUsageAndExit0() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: java -jar wsguard-probe.jar");
    }

    @Test
    void runWhenOriginMissingThenExit2() {
        assertThat(run("ws://127.0.0.1:9/x", "--token", "t")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--origin is required");
    }

    @Test
    void runWhenUnknownOptionThenExit2() {
        assertThat(run("ws://127.0.0.1:9/x", "--origni", "https://a.test")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option --origni");
    }

    @Test
    void runWhenUrlIsHttpThenExit2() {
        assertThat(run("http://127.0.0.1:9/x", "--origin", "https://a.test", "--token", "t")).isEqualTo(2);
    }

    @Test
    void runWhenBadRateThenExit2() {
        assertThat(run("ws://127.0.0.1:9/x", "--origin", "https://a.test", "--token", "t", "--message-rate", "fast"))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--message-rate", "COUNT/PERIOD");
    }

    @Test
    void runWhenTokenAndTokenCommandThenExit2() {
        assertThat(run("ws://127.0.0.1:9/x", "--origin", "https://a.test", "--token", "t", "--token-command", "echo t"))
                .isEqualTo(2);
    }

    @Test
    void runWhenCookieNameAndAnotherCarrierThenExit2() {
        assertThat(run("ws://127.0.0.1:9/x", "--origin", "https://a.test", "--token", "t", "--carrier", "header",
                "--cookie-name", "sid")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--cookie-name", "cookie and in the header");
    }

    @Test
    void runWhenCookieNameIsNoTokenThenExit2() {
        assertThat(run("ws://127.0.0.1:9/x", "--origin", "https://a.test", "--token", "t", "--cookie-name", "a b"))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("a cookie name is an HTTP token");
    }

    @Test
    void runWhenEchoMessageIsNoObjectOrArrayOfObjectsThenExit2() {
        assertThat(run("ws://127.0.0.1:9/x", "--origin", "https://a.test", "--token", "t", "--echo-message", "[1]"))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--echo-message", "must be a JSON object");
    }

    @Test
    void runWhenUserRateMessageWithoutRateThenExit2() {
        assertThat(run("ws://127.0.0.1:9/x", "--origin", "https://a.test", "--token", "t", "--user-rate-message",
                "{\"type\":\"post\"}")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--user-rate-message needs --user-message-rate");
    }

    @Test
    void runWhenIdleTimeoutIsNoDurationThenExit2() {
        assertThat(run("ws://127.0.0.1:9/x", "--origin", "https://a.test", "--token", "t", "--idle-timeout", "soon"))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--idle-timeout");
    }

    @Test
    void listWhenAskedThenEveryAttackWithItsExpectedAnswer() {
        assertThat(run("--list")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("origin.null", "auth.alg-none",
                "flood.handshake-rate", "flood.user-message-rate", "size.huge-fragments", "slow.message");
    }
}
