package dev.wsguard.internal.message;

import dev.wsguard.GuardConfig;
import dev.wsguard.Rejection;
import dev.wsguard.testing.PlainClaims;
import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.chat.StandardChat;
import dev.wsguard.testing.chat.TestMessage;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The message pipeline over plain values: a message text and an identity in, a {@link Verdict} out, with no session,
 * socket or runtime. The real-socket proofs of the same rules are {@code MessageAttackIT} and
 * {@code StandardMessageAttackIT}.
 */
class MessagePipelineTest {

    private static final String ALICE_TENANT = "acme";

    private static GuardConfig.Builder config() {
        return GuardConfig.builder().allowedOrigins("https://chat.test")
                .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048())).issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE);
    }

    private static MessagePipeline pipeline(GuardConfig config) {
        return new MessagePipeline(EndpointModel.of(StandardChat.class), config, new LongAdder());
    }

    private static SessionState session() {
        return new SessionState(null, null);
    }

    private static JsonWebToken alice(String... groups) {
        return caller("alice", "chat:read chat:write", Set.of(groups), System.currentTimeMillis() / 1000 + 300);
    }

    private static Verdict text(MessagePipeline pipeline, String text, JsonWebToken caller) {
        return pipeline.text(text, caller, "192.0.2.1", session());
    }

    @Test
    void textWhenWellFormedAndAllowedThenDeliverToTheOneMethod() {
        Verdict verdict = text(pipeline(config().build()), "{\"type\":\"ping\"}", alice());
        assertThat(verdict).isInstanceOfSatisfying(Verdict.Deliver.class, deliver -> {
            assertThat(deliver.message()).isEqualTo(new TestMessage.Ping());
            assertThat(deliver.route().alias()).isEqualTo("ping");
            assertThat(deliver.route().target().method().getName()).isEqualTo("on");
        });
    }

    @Test
    void textWhenMalformedThenCloseByDefaultAndRefuseWhenConfigured() {
        String extraField = "{\"type\":\"ping\",\"extra\":1}";
        assertThat(text(pipeline(config().build()), extraField, alice()))
                .isEqualTo(new Verdict.Close(Rejection.MESSAGE_MALFORMED, null));
        assertThat(text(pipeline(config().closeOnMalformed(false).build()), extraField, alice()))
                .isEqualTo(new Verdict.Refuse(Rejection.MESSAGE_MALFORMED, null));
    }

    @Test
    void textWhenConstraintBrokenThenRefuseInvalid() {
        String tooLong = "{\"type\":\"publish\",\"channel\":\"tenant:acme:a\",\"text\":\"" + "x".repeat(101) + "\"}";
        assertThat(text(pipeline(config().build()), tooLong, alice()))
                .isEqualTo(new Verdict.Refuse(Rejection.MESSAGE_INVALID, null));
    }

    @Test
    void textWhenTypeHasNoRuleThenRefuseTypeNotAllowed() {
        assertThat(text(pipeline(config().build()), "{\"type\":\"unruled\"}", alice()))
                .isEqualTo(new Verdict.Refuse(Rejection.MESSAGE_TYPE_NOT_ALLOWED, "unruled"));
    }

    @Test
    void textWhenRoleMissingThenRefuseRoleMissingAndWhenHeldThenDeliver() {
        MessagePipeline pipeline = pipeline(config().build());
        String kick = "{\"type\":\"kick\",\"user\":\"bob\"}";
        assertThat(text(pipeline, kick, alice())).isEqualTo(new Verdict.Refuse(Rejection.ROLE_MISSING, "kick"));
        assertThat(text(pipeline, kick, alice("admin"))).isInstanceOf(Verdict.Deliver.class);
    }

    @Test
    void textWhenScopeMissingThenRefuseScopeMissing() {
        JsonWebToken readOnly = caller("ro", "chat:write", Set.of(), System.currentTimeMillis() / 1000 + 300);
        assertThat(text(pipeline(config().build()), "{\"type\":\"subscribe\",\"channel\":\"tenant:acme:a\"}",
                readOnly)).isEqualTo(new Verdict.Refuse(Rejection.SCOPE_MISSING, "subscribe"));
    }

    @Test
    void textWhenChannelOfAnotherTenantThenRefuseChannelForbidden() {
        MessagePipeline pipeline = pipeline(config().build());
        assertThat(text(pipeline, "{\"type\":\"subscribe\",\"channel\":\"tenant:globex:a\"}", alice()))
                .isEqualTo(new Verdict.Refuse(Rejection.CHANNEL_FORBIDDEN, "subscribe"));
        assertThat(text(pipeline, "{\"type\":\"subscribe\",\"channel\":\"tenant:acme:a\"}", alice()))
                .isInstanceOf(Verdict.Deliver.class);
    }

    @Test
    void textWhenAuthMessageThenRefreshWithItsToken() {
        assertThat(text(pipeline(config().build()), "{\"type\":\"auth\",\"token\":\"abc\"}", alice()))
                .isEqualTo(new Verdict.Refresh("abc"));
    }

    @Test
    void textWhenTokenExpiredThenClose4401BeforeReadingIt() {
        JsonWebToken expired = caller("old", "chat:read", Set.of(), System.currentTimeMillis() / 1000 - 1);
        assertThat(text(pipeline(config().build()), "not even json", expired))
                .isEqualTo(new Verdict.Close(Rejection.TOKEN_EXPIRED, null));
    }

    @Test
    void textWhenTokenRevokedThenClose() {
        MessagePipeline pipeline = pipeline(config().revocations(token -> true).build());
        assertThat(text(pipeline, "{\"type\":\"ping\"}", alice()))
                .isEqualTo(new Verdict.Close(Rejection.TOKEN_REVOKED, "ping"));
    }

    @Test
    void textWhenOverTheCapInUtf8ThenCloseTooBig() {
        MessagePipeline pipeline = pipeline(config().messageMaxBytes(100).build());
        // 40 characters, 120 bytes in UTF-8.
        assertThat(text(pipeline, "{\"type\":\"ping\",\"x\":\"" + "€".repeat(40) + "\"}", alice()))
                .isEqualTo(new Verdict.Close(Rejection.MESSAGE_TOO_BIG, null));
    }

    @Test
    void textWhenSessionFloodLimitPassedThenThrottleEvenForMalformedInput() {
        MessagePipeline pipeline = pipeline(config().rateLimit("session", 3, Duration.ofMinutes(1)).build());
        SessionState state = session();
        for (int i = 0; i < 3; i++) {
            assertThat(pipeline.text("garbage", alice(), null, state)).isInstanceOf(Verdict.Close.class);
        }
        assertThat(pipeline.text("garbage", alice(), null, state)).isEqualTo(new Verdict.Throttle(null));
        assertThat(pipeline.text("garbage", alice(), null, session()))
                .as("another session has its own limit").isInstanceOf(Verdict.Close.class);
    }

    @Test
    void textWhenPerUserLimitPassedThenThrottleAcrossSessionsOfThatUser() {
        MessagePipeline pipeline = pipeline(config().build());
        String publish = "{\"type\":\"publish\",\"channel\":\"tenant:acme:a\",\"text\":\"hi\"}";
        for (int i = 0; i < 3; i++) {
            assertThat(text(pipeline, publish, alice())).isInstanceOf(Verdict.Deliver.class);
        }
        assertThat(text(pipeline, publish, alice())).isEqualTo(new Verdict.Throttle("publish"));
        JsonWebToken bob = caller("bob", "chat:read chat:write", Set.of(), System.currentTimeMillis() / 1000 + 300);
        assertThat(text(pipeline, publish, bob)).isInstanceOf(Verdict.Deliver.class);
    }

    @Test
    void binaryWhenEndpointTakesNoneThenClose1003() {
        MessagePipeline pipeline = pipeline(config().build());
        Verdict verdict = pipeline.binary(new byte[1], 1, alice(), null, session());
        assertThat(verdict).isEqualTo(new Verdict.Close(Rejection.MESSAGE_KIND_NOT_ACCEPTED, null));
        assertThat(Rejection.MESSAGE_KIND_NOT_ACCEPTED.closeCode()).isEqualTo(1003);
    }

    @Test
    void mayReceiveWhenSubscriptionRulesPassThenNullElseTheReason() {
        MessagePipeline pipeline = pipeline(config().build());
        assertThat(pipeline.mayReceive(TestMessage.Subscribe.class, "tenant:acme:a", alice())).isNull();
        assertThat(pipeline.mayReceive(TestMessage.Subscribe.class, "tenant:globex:a", alice()))
                .isEqualTo(Rejection.CHANNEL_FORBIDDEN);
        JsonWebToken noScope = caller("x", "", Set.of(), System.currentTimeMillis() / 1000 + 300);
        assertThat(pipeline.mayReceive(TestMessage.Subscribe.class, "tenant:acme:a", noScope))
                .isEqualTo(Rejection.SCOPE_MISSING);
    }

    /** An identity as a container would hand it over: plain claims, nothing verified here. */
    private static JsonWebToken caller(String subject, String scope, Set<String> groups, long exp) {
        Map<String, Object> claims = new HashMap<>();
        claims.put("sub", subject);
        claims.put("scope", scope);
        claims.put("groups", groups);
        claims.put("exp", exp);
        claims.put("tenant", ALICE_TENANT);
        return PlainClaims.of(claims);
    }
}
