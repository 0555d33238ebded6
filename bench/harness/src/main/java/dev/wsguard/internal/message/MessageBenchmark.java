package dev.wsguard.internal.message;

import dev.wsguard.Channel;
import dev.wsguard.GuardConfig;
import dev.wsguard.RateLimit;
import dev.wsguard.WsGuard;
import dev.wsguard.bench.BenchKeys;
import dev.wsguard.bench.BenchMessage;
import dev.wsguard.bench.Wire;
import dev.wsguard.bench.server.GuardedEndpoints;
import dev.wsguard.bench.server.PlainDecoding;
import dev.wsguard.internal.EventSink;
import dev.wsguard.internal.jwt.TokenVerifier;
import dev.wsguard.internal.jwt.Verification;
import dev.wsguard.message.StrictJsonReader;
import io.github.resilience4j.ratelimiter.RateLimiter;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Proxy;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The message checks one by one, and the whole message pipeline ({@link SessionGuard#text}: expiry, size,
 * session flood limit, strict decoding with validation, revocation, role and scope, channel rule, per-user rate
 * limit, handler, answer) against {@link #plainPipeline}, the unguarded servers' Yasson decode and validation. The
 * session is a stub whose sends do nothing, so the figures hold the guard's work, not the socket's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MessageBenchmark {

    /** Answers the stub session was asked to send, and closes: the setup checks the pipeline reached the handler. */
    private static final AtomicInteger SENT = new AtomicInteger();
    private static final AtomicInteger CLOSED = new AtomicInteger();

    private StrictJsonReader<BenchMessage> reader;
    private Jsonb jsonb;
    private Validator validator;
    private BenchMessage.Publish decoded;
    private AccessRule rule;
    private ChannelRule channel;
    private JsonWebToken caller;
    private Set<String> groups;
    private Set<String> scopes;
    private Limit userLimit;
    private RateLimiter sessionLimiter;
    private SessionGuard guard;
    private Object endpoint;
    private Session session;

    @Setup
    public void setup() throws Throwable {
        BenchKeys keys = new BenchKeys();
        GuardConfig config = GuardConfig.builder().allowedOrigins(Wire.ORIGIN).publicKey(keys.publicKeyPem())
                .issuer(Wire.ISSUER).audiences(Wire.AUDIENCE)
                .rateLimit("session", 1_000_000_000, Duration.ofSeconds(1))
                .rateLimit("publish", 1_000_000_000, Duration.ofSeconds(1)).build();
        TokenVerifier verifier = new TokenVerifier(config.jwt());
        caller = ((Verification.Valid) verifier.verify(keys.token("alice"))).token();
        groups = caller.getGroups();
        scopes = WsGuard.scopes(caller);

        reader = StrictJsonReader.shared(BenchMessage.class);
        jsonb = JsonbBuilder.create();
        validator = Validation.buildDefaultValidatorFactory().getValidator();
        decoded = (BenchMessage.Publish) jsonb.fromJson(Wire.MESSAGE, BenchMessage.class);
        rule = AccessRule.of(BenchMessage.Publish.class);
        RecordComponent component = BenchMessage.Publish.class.getRecordComponents()[0];
        channel = new ChannelRule(component.getAnnotation(Channel.class),
                MethodHandles.lookup().unreflect(component.getAccessor()), "bench");
        userLimit = new Limit("publish", RateLimit.Key.USER, new GuardConfig.RateLimitSetting(1_000_000_000,
                Duration.ofSeconds(1)), config.maxRateLimitKeys(), 0);
        sessionLimiter = userLimit.newLimiter();

        GuardContext context = new GuardContext(config, new EventSink(config), verifier);
        Map<String, Object> properties = new ConcurrentHashMap<>();
        properties.put(WsGuard.CONTEXT, context);
        properties.put(WsGuard.IDENTITY, caller);
        properties.put(WsGuard.CLIENT_ADDRESS, "127.0.0.1");
        session = stubSession(properties);
        guard = context.guardFor(GuardedEndpoints.Guarded.class);
        endpoint = new GuardedEndpoints.Guarded();
        guard.opened(session);
        guard.text(endpoint, Wire.MESSAGE, session);
        // The pipeline must run to the handler's answer, not stop at a refusal or a close.
        if (SENT.get() != 1 || CLOSED.get() != 0) {
            throw new IllegalStateException("the message pipeline did not reach the handler: " + SENT.get()
                    + " answers, " + CLOSED.get() + " closes");
        }
    }


    /** A session that holds user properties and whose sends go nowhere. */
    private static Session stubSession(Map<String, Object> properties) {
        RemoteEndpoint.Async remote = (RemoteEndpoint.Async) Proxy.newProxyInstance(
                MessageBenchmark.class.getClassLoader(), new Class<?>[] {RemoteEndpoint.Async.class},
                (proxy, method, args) -> {
                    if (method.getName().startsWith("send")) {
                        SENT.incrementAndGet();
                        if (args != null && args[args.length - 1] instanceof SendHandler done) {
                            done.onResult(new SendResult());
                        }
                    }
                    return defaultValue(method.getReturnType());
                });
        return (Session) Proxy.newProxyInstance(MessageBenchmark.class.getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getUserProperties" -> properties;
                    case "close" -> {
                        CLOSED.incrementAndGet();
                        yield null;
                    }
                    case "getAsyncRemote" -> remote;
                    case "isOpen" -> true;
                    case "getId" -> "bench-session";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> defaultValue(method.getReturnType());
                });
    }

    private static Object defaultValue(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        return null;
    }

    @Benchmark
    public Object decodeStrictAndValidate() {
        return reader.read(Wire.MESSAGE);
    }

    @Benchmark
    public Object decodeYassonOnly() {
        return jsonb.fromJson(Wire.MESSAGE, BenchMessage.class);
    }

    @Benchmark
    public Object validateOnly() {
        return validator.validate(decoded);
    }

    @Benchmark
    public Object authorizeRoleAndScope() {
        return rule.check(groups, scopes);
    }

    @Benchmark
    public boolean authorizeChannel() {
        return channel.allows(decoded, caller);
    }

    @Benchmark
    public boolean rateLimitPerUser() {
        return userLimit.acquireShared("alice");
    }

    @Benchmark
    public boolean rateLimitPerSession() {
        return sessionLimiter.acquirePermission();
    }

    @Benchmark
    public void messagePipeline() {
        guard.text(endpoint, Wire.MESSAGE, session);
    }

    @Benchmark
    public String plainPipeline() {
        return PlainDecoding.handle(Wire.MESSAGE);
    }
}
