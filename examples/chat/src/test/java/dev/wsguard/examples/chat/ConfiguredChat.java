package dev.wsguard.examples.chat;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar outside dev mode, trusting a {@link TestIdp} and the origin {@link #ORIGIN}, with the subprotocol token
 * source on (the one {@link ChatClient} uses).
 */
final class ConfiguredChat implements AutoCloseable {

    static final String ORIGIN = "https://chat.example.test";

    final TestIdp idp;
    private final ChatProcess process;
    private final URI chat;
    private final HttpClient http = HttpClient.newHttpClient();

    private ConfiguredChat(TestIdp idp, ChatProcess process) throws InterruptedException {
        this.idp = idp;
        this.process = process;
        this.chat = process.uri();
    }

    /** Starts the jar with a fresh provider's key written into {@code dir}, and {@code properties} besides. */
    static ConfiguredChat start(Path dir, String... properties) throws Exception {
        return start(new TestIdp(dir), properties);
    }

    /** Starts the jar trusting {@code idp} (several nodes trust one provider), and {@code properties} besides. */
    static ConfiguredChat start(TestIdp idp, String... properties) throws Exception {
        return new ConfiguredChat(idp, ChatProcess.start(idp.with(Stream.concat(Stream.of("wsguard.port=0",
                "wsguard.origins.allowed=" + ORIGIN, "wsguard.token.sources=subprotocol"), Stream.of(properties))
                .toArray(String[]::new))));
    }

    /** A client connected with {@code token}, its welcome not yet read. */
    ChatClient connect(String token) throws Exception {
        return ChatClient.connect(http, chat, ORIGIN, token);
    }

    /** A client of a chat user ({@link TestIdp#chatUser}) whose welcome has been read. */
    ChatClient join(String user, String tenant, String... roles) throws Exception {
        ChatClient c = connect(idp.chatUser(user, tenant, roles));
        assertThat(c.next()).isEqualTo("{\"type\":\"welcome\",\"user\":\"" + user + "\"}");
        return c;
    }

    /** Kills the node at once, its connections still open. */
    void kill() throws InterruptedException {
        process.kill();
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
