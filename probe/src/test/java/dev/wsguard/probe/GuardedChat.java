package dev.wsguard.probe;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The guarded example chat (its runnable jar) in a JVM of its own, configured as a deployment would be: an RSA key
 * made here signs the tokens, one allowed origin, and limits small enough for a quick audit. The limits are also the
 * ones {@link #suite} gives the probe.
 */
final class GuardedChat implements AutoCloseable {

    static final String ORIGIN = "https://chat.example.test";
    static final String ISSUER = "https://idp.probe.test";
    static final String AUDIENCE = "chat";
    static final String ADMIN_MESSAGE = "{\"type\":\"kick\",\"user\":\"bob\"}";
    static final String FOREIGN_MESSAGE = "{\"type\":\"subscribe\",\"channel\":\"tenant:globex:general\"}";
    static final Rate HANDSHAKE_RATE = new Rate(20, Duration.ofSeconds(2));
    static final Rate MESSAGE_RATE = new Rate(50, Duration.ofSeconds(1));
    /** The chat's own {@code @RateLimit} on publish: per user, whatever the number of sessions. */
    static final Rate PUBLISH_RATE = new Rate(20, Duration.ofSeconds(1));
    /** A post comes back to the sessions that joined its channel: these two, in order, make the chat echo text. */
    static final String SUBSCRIBE = "{\"type\":\"subscribe\",\"channel\":\"tenant:acme:general\"}";
    static final String PUBLISH = "{\"type\":\"publish\",\"channel\":\"tenant:acme:general\",\"text\":\"hi\"}";
    static final int MAX_CONNECTIONS = 5;
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);
    /** Longer than any pause of the other attacks, so that only slow.message meets it. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(4);

    private static final Pattern READY = Pattern.compile("wss?://127\\.0\\.0\\.1:\\d+/chat");

    private final KeyPair keys;
    final Path publicKey;
    /** The test issuer's private key, for the attacks that need tokens signed right and wrong in one claim. */
    final Path signingKey;
    private final Process process;
    private final List<String> output = new ArrayList<>();
    final URI uri;

    private GuardedChat(Path dir, List<String> properties) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keys = generator.generateKeyPair();
        publicKey = dir.resolve("chat-idp.pem");
        Files.writeString(publicKey, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(keys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        signingKey = dir.resolve("chat-idp-private.pem");
        Files.writeString(signingKey, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        Path jar = Path.of(System.getProperty("chat.jar", "../examples/chat/target/wsguard-chat.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: build examples/chat first");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Dwsguard.port=0",
                "-Dwsguard.origins.allowed=" + ORIGIN,
                "-Dmp.jwt.verify.publickey.location=" + publicKey,
                "-Dmp.jwt.verify.issuer=" + ISSUER,
                "-Dmp.jwt.verify.audiences=" + AUDIENCE,
                "-Dwsguard.handshake-timeout=" + HANDSHAKE_TIMEOUT,
                "-Dwsguard.idle-timeout=" + IDLE_TIMEOUT,
                "-Dwsguard.handshake.limit-for-period=" + HANDSHAKE_RATE.count(),
                "-Dwsguard.handshake.limit-refresh-period=" + HANDSHAKE_RATE.period(),
                "-Dwsguard.connections.max-per-user=" + MAX_CONNECTIONS));
        properties.forEach(property -> command.add("-D" + property));
        command.addAll(List.of("-jar", jar.toString()));
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        uri = awaitReady();
    }

    /** Starts the jar with a fresh key written into {@code dir}, and more system properties; waits until ready. */
    static GuardedChat start(Path dir, String... properties) throws Exception {
        return new GuardedChat(dir, List.of(properties));
    }

    private URI awaitReady() throws Exception {
        CompletableFuture<URI> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (output) {
                        output.add(line);
                    }
                    Matcher m = READY.matcher(line);
                    if (m.find()) {
                        ready.complete(URI.create(m.group()));
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(new UncheckedIOException(e));
            }
            ready.completeExceptionally(new IllegalStateException("the chat ended: " + output()));
        }, "guarded-chat-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return ready.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    /** A chat user's token: both chat scopes, a tenant, the groups given, valid from {@code from} for 5 minutes. */
    String token(String subject, String tenant, Instant from, String... groups) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject(subject)
                .issueTime(Date.from(from)).expirationTime(Date.from(from.plusSeconds(300)))
                .claim("scope", "chat:read chat:write").claim("tenant", tenant).claim("groups", List.of(groups))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(com.nimbusds.jose.JOSEObjectType.JWT)
                .build(), claims);
        try {
            jwt.sign(new RSASSASigner(keys.getPrivate()));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /** The admin carol of tenant acme: the valid token. */
    String carol() {
        return token("carol", "acme", Instant.now(), "user", "admin");
    }

    /** The plain user alice of tenant acme: the token with fewer rights. */
    String alice() {
        return token("alice", "acme", Instant.now(), "user");
    }

    /** A token of alice's that expired ten minutes ago. */
    String expired() {
        return token("alice", "acme", Instant.now().minus(Duration.ofMinutes(15)), "user");
    }

    /** The probe configured for this chat: every option the catalogue can use. */
    ProbeSuite.Builder suite() throws IOException {
        return ProbeSuite.against(uri).origin(ORIGIN).token(this::carol).lowToken(this::alice)
                .expiredToken(this::expired).publicKey(Files.readString(publicKey))
                .signingKey(Files.readString(signingKey))
                .adminMessage(ADMIN_MESSAGE).foreignMessage(FOREIGN_MESSAGE).echoMessage(SUBSCRIBE, PUBLISH)
                .handshakeRate(HANDSHAKE_RATE).messageRate(MESSAGE_RATE).maxConnections(MAX_CONNECTIONS)
                .userMessageRate(PUBLISH_RATE, SUBSCRIBE, PUBLISH)
                .handshakeTimeout(HANDSHAKE_TIMEOUT).idleTimeout(IDLE_TIMEOUT);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
