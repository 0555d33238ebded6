package dev.wsguard.internal.message;

import dev.wsguard.Audited;
import dev.wsguard.Channel;
import dev.wsguard.GuardConfig;
import dev.wsguard.GuardConfigException;
import dev.wsguard.GuardedEndpoint;
import dev.wsguard.OnMessageType;
import dev.wsguard.RateLimit;
import dev.wsguard.message.StrictJsonDecoder;
import dev.wsguard.message.StrictJsonReader;
import jakarta.websocket.Decoder;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.server.ServerEndpoint;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What wsguard knows of one guarded endpoint class, read and checked once, at deployment: its message family and
 * strict reader, and for every message type the authorization rule, channel rule, declared rate limits, audit flag and
 * the user method it reaches; for binary messages the same, or none (then binary is refused with 1003). Everything
 * that could make a message reach user code unchecked, or leave a type without a handler, fails here with a
 * {@link GuardConfigException} naming the fix, so a bad endpoint never starts.
 *
 * <p>Two shapes: a standard {@code @ServerEndpoint} with {@code @OnMessage} (and optional {@code @OnOpen},
 * {@code @OnClose}, {@code @OnError}) that wsguard wraps, and a subclass of {@link GuardedEndpoint} with one
 * {@link OnMessageType} per message type. Immutable and thread-safe.
 */
public final class EndpointModel {

    /** The implicit limit on all messages of one session, tunable as {@code wsguard.rate-limit.session.*}. */
    static final String SESSION_LIMIT = "session";

    /** The message type the guard answers itself (in-band token refresh, first-message authentication). */
    static final String AUTH_TYPE = "auth";

    /** One message type: its wire name, rules and the user method it reaches. */
    record Route(Class<?> type, String alias, AccessRule rule, ChannelRule channel, List<RateLimit> declaredLimits,
                 boolean audited, Callback target) {
    }

    private static final ClassValue<EndpointModel> MODELS = new ClassValue<>() {
        @Override
        protected EndpointModel computeValue(Class<?> endpointClass) {
            return read(endpointClass);
        }
    };

    private final Class<?> endpointClass;
    private final StrictJsonReader<?> reader;
    private final Map<Class<?>, Route> routes;
    private final Route binary;
    private final Callback onOpen;
    private final Callback onClose;
    private final Callback onError;

    private EndpointModel(Class<?> endpointClass, StrictJsonReader<?> reader, Map<Class<?>, Route> routes,
                          Route binary, Callback onOpen, Callback onClose, Callback onError) {
        this.endpointClass = endpointClass;
        this.reader = reader;
        this.routes = routes;
        this.binary = binary;
        this.onOpen = onOpen;
        this.onClose = onClose;
        this.onError = onError;
    }

    /**
     * The model of {@code endpointClass}, read once per class.
     *
     * @throws GuardConfigException describing the first problem; the endpoint must not be deployed
     */
    public static EndpointModel of(Class<?> endpointClass) {
        try {
            return MODELS.get(endpointClass);
        } catch (GuardConfigException e) {
            throw new GuardConfigException(e.getMessage(), e);
        }
    }

    /** Whether {@code endpointClass} is annotated to be guarded: its {@code @ServerEndpoint} names {@code guard}. */
    public static boolean namesConfigurator(Class<?> endpointClass, Class<?> guard) {
        ServerEndpoint annotation = endpointClass.getAnnotation(ServerEndpoint.class);
        return annotation != null && guard.isAssignableFrom(annotation.configurator());
    }

    public Class<?> endpointClass() {
        return endpointClass;
    }

    StrictJsonReader<?> reader() {
        return reader;
    }

    Map<Class<?>, Route> routes() {
        return routes;
    }

    /** The binary route, or null when the endpoint takes no binary messages. */
    Route binary() {
        return binary;
    }

    /**
     * The lifecycle methods wsguard calls on a wrapped instance: a standard endpoint's own ({@code null} where it has
     * none), the base class's {@code opened} and {@code closed}.
     */
    Callback onOpen() {
        return onOpen;
    }

    Callback onClose() {
        return onClose;
    }

    Callback onError() {
        return onError;
    }

    /** The names of the rate limits this endpoint declares with {@code @RateLimit}. */
    public java.util.Set<String> rateLimitNames() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (Route route : routes.values()) {
            route.declaredLimits().forEach(limit -> names.add(limit.name()));
        }
        if (binary != null) {
            binary.declaredLimits().forEach(limit -> names.add(limit.name()));
        }
        return names;
    }

    /**
     * Refuses a configuration that tunes a rate limit none of the deployed endpoints declares: a mistyped
     * {@code wsguard.rate-limit.<name>.*} key would otherwise leave the declared default in force, silently.
     *
     * @param deployed every guarded endpoint of the deployment (a configuration may be shared by all of them)
     * @throws GuardConfigException naming the unknown limit and the declared ones
     */
    public static void checkRateLimits(GuardConfig config, java.util.Collection<EndpointModel> deployed) {
        java.util.Set<String> declared = new java.util.TreeSet<>();
        declared.add(SESSION_LIMIT);
        deployed.forEach(model -> declared.addAll(model.rateLimitNames()));
        for (String name : config.rateLimitNames()) {
            if (!declared.contains(name)) {
                throw new GuardConfigException("the rate limit '" + name + "' is configured (wsguard.rate-limit."
                        + name + ".*, or GuardConfig.Builder.rateLimit) but no guarded endpoint declares"
                        + " @RateLimit(name = \"" + name + "\"); declared: " + declared);
            }
        }
    }

    /** Every rate limit the model declares, with its setting once configuration has had its say. */
    static GuardConfig.RateLimitSetting setting(RateLimit declared, GuardConfig config) {
        return config.rateLimit(declared.name(), new GuardConfig.RateLimitSetting(declared.limitForPeriod(),
                Duration.parse(declared.refreshPeriod())));
    }

    private static EndpointModel read(Class<?> endpointClass) {
        return GuardedEndpoint.class.isAssignableFrom(endpointClass) ? baseClass(endpointClass)
                : standard(endpointClass);
    }

    // ------------------------------------------------------------------ GuardedEndpoint subclasses

    private static EndpointModel baseClass(Class<?> endpointClass) {
        for (Class<?> c = endpointClass; c != GuardedEndpoint.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(OnMessage.class)) {
                    throw new GuardConfigException(endpointClass.getName() + "." + m.getName() + " is an"
                            + " @OnMessage method on a GuardedEndpoint subclass: its messages would bypass the guard;"
                            + " handle message types with @OnMessageType methods, or drop the base class and write a"
                            + " standard endpoint");
                }
                if (m.isAnnotationPresent(OnOpen.class) || m.isAnnotationPresent(OnClose.class)
                        || m.isAnnotationPresent(OnError.class)) {
                    throw new GuardConfigException(endpointClass.getName() + "." + m.getName() + ": a guarded"
                            + " endpoint's @OnOpen and @OnClose belong to GuardedEndpoint; override opened(Session)"
                            + " or closed(Session, CloseReason) instead");
                }
            }
        }
        StrictJsonReader<?> reader = StrictJsonReader.shared(baseClassFamily(endpointClass));
        refuseReservedType(endpointClass, reader);
        Map<Class<?>, Method> handlers = handlers(endpointClass, reader.subtypes().keySet());
        Map<Class<?>, Route> routes = new LinkedHashMap<>();
        for (Map.Entry<Class<?>, String> subtype : reader.subtypes().entrySet()) {
            Method method = handlers.get(subtype.getKey());
            if (method == null) {
                throw new GuardConfigException(endpointClass.getName() + " has no @OnMessageType for message type "
                        + subtype.getKey().getName() + " ('" + subtype.getValue() + "'): every type of the family"
                        + " needs one");
            }
            Callback target = Callback.of(method, EnumSet.of(Callback.Source.MESSAGE), Set.of(subtype.getKey()),
                    "@OnMessageType");
            routes.put(subtype.getKey(), route(subtype.getKey(), subtype.getValue(), method, target));
        }
        // Wrapped like a standard endpoint, the base class's own opened/closed are its lifecycle callbacks.
        Callback opened;
        Callback closed;
        try {
            opened = Callback.of(GuardedEndpoint.class.getDeclaredMethod("opened", jakarta.websocket.Session.class),
                    EnumSet.noneOf(Callback.Source.class), null, "opened");
            closed = Callback.of(GuardedEndpoint.class.getDeclaredMethod("closed", jakarta.websocket.Session.class,
                    jakarta.websocket.CloseReason.class), EnumSet.of(Callback.Source.CLOSE_REASON), null, "closed");
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
        return new EndpointModel(endpointClass, reader, Map.copyOf(routes), null, opened, closed,
                null);
    }

    /** The {@code M} of {@code extends GuardedEndpoint<M>}, found on the class or a superclass. */
    private static Class<?> baseClassFamily(Class<?> endpointClass) {
        for (Class<?> c = endpointClass; c != null && c != Object.class; c = c.getSuperclass()) {
            if (c.getSuperclass() == GuardedEndpoint.class
                    && c.getGenericSuperclass() instanceof ParameterizedType p
                    && p.getActualTypeArguments()[0] instanceof Class<?> family) {
                return family;
            }
        }
        throw new GuardConfigException(endpointClass.getName() + " must name its message family: extends"
                + " GuardedEndpoint<YourMessages>");
    }

    private static Map<Class<?>, Method> handlers(Class<?> endpointClass, Set<Class<?>> types) {
        Map<Class<?>, Method> found = new HashMap<>();
        for (Class<?> c = endpointClass; c != GuardedEndpoint.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (!m.isAnnotationPresent(OnMessageType.class)) {
                    continue;
                }
                Class<?>[] params = m.getParameterTypes();
                if (params.length == 0 || !types.contains(params[0])) {
                    throw new GuardConfigException("@OnMessageType " + c.getName() + "." + m.getName() + " must take one"
                            + " message type of the family (and optionally the Session)");
                }
                if (found.putIfAbsent(params[0], m) != null && found.get(params[0]).getDeclaringClass() == c) {
                    throw new GuardConfigException(endpointClass.getName() + " has two @OnMessageType methods for "
                            + params[0].getName());
                }
            }
        }
        return found;
    }

    // ------------------------------------------------------------------ standard endpoints

    private static EndpointModel standard(Class<?> endpointClass) {
        String name = endpointClass.getName();
        Method text = null;
        Method binary = null;
        Method open = null;
        Method close = null;
        Method error = null;
        for (Method m : endpointClass.getMethods()) {
            if (m.isAnnotationPresent(OnMessageType.class)) {
                throw new GuardConfigException(Callback.where(m) + ": @OnMessageType belongs to GuardedEndpoint"
                        + " subclasses; a standard endpoint handles its family in one @OnMessage method");
            }
            if (m.isAnnotationPresent(OnMessage.class)) {
                OnMessage annotation = m.getAnnotation(OnMessage.class);
                Class<?> kind = messageKind(m);
                if (annotation.maxMessageSize() != -1) {
                    throw new GuardConfigException(Callback.where(m) + " sets @OnMessage(maxMessageSize): the"
                            + " runtime checks it only after buffering the whole message; set"
                            + " wsguard.message.max-bytes instead, which is enforced while reading");
                }
                if (Callback.isBinary(kind)) {
                    binary = only(binary, m, "binary @OnMessage");
                } else {
                    text = only(text, m, "text @OnMessage");
                }
            }
            open = m.isAnnotationPresent(OnOpen.class) ? only(open, m, "@OnOpen") : open;
            close = m.isAnnotationPresent(OnClose.class) ? only(close, m, "@OnClose") : close;
            error = m.isAnnotationPresent(OnError.class) ? only(error, m, "@OnError") : error;
        }
        refuseHiddenCallbacks(endpointClass);
        if (text == null && binary == null) {
            throw new GuardConfigException(name + " is guarded by WsGuardConfigurator but has no public @OnMessage"
                    + " method: declare @OnMessage taking its message family (a sealed interface of records), or"
                    + " extend GuardedEndpoint");
        }
        StrictJsonReader<?> reader = null;
        Map<Class<?>, Route> routes = Map.of();
        if (text != null) {
            Class<?> family = messageKind(text);
            reader = readerFor(endpointClass, family, text);
            refuseReservedType(endpointClass, reader);
            Set<Class<?>> accepted = new java.util.HashSet<>(reader.subtypes().keySet());
            accepted.add(family);
            Callback target = Callback.of(text, EnumSet.of(Callback.Source.MESSAGE), accepted, "@OnMessage");
            Map<Class<?>, Route> built = new LinkedHashMap<>();
            for (Map.Entry<Class<?>, String> subtype : reader.subtypes().entrySet()) {
                built.put(subtype.getKey(), route(subtype.getKey(), subtype.getValue(), text, target));
            }
            routes = Map.copyOf(built);
        } else if (endpointClass.getAnnotation(ServerEndpoint.class) != null
                && endpointClass.getAnnotation(ServerEndpoint.class).decoders().length > 0) {
            throw new GuardConfigException(name + " declares decoders but no text @OnMessage");
        }
        Route binaryRoute = null;
        if (binary != null) {
            Callback target = Callback.of(binary, EnumSet.of(Callback.Source.MESSAGE),
                    Set.of(messageKind(binary)), "binary @OnMessage");
            binaryRoute = route(null, "binary", binary, target);
            if (!binaryRoute.rule().hasRule()) {
                System.getLogger("dev.wsguard").log(System.Logger.Level.WARNING, Callback.where(binary)
                        + " has no authorization rule (@RolesAllowed, @PermitAll, @RequiresScope or @DenyAll):"
                        + " every binary message is refused");
            }
        }
        refuseEncoders(endpointClass);
        Set<Callback.Source> lifecycle = EnumSet.of(Callback.Source.CONFIG);
        return new EndpointModel(endpointClass, reader, routes, binaryRoute,
                open == null ? null : Callback.of(open, lifecycle, null, "@OnOpen"),
                close == null ? null : Callback.of(close, EnumSet.of(Callback.Source.CLOSE_REASON), null, "@OnClose"),
                error == null ? null : Callback.of(error, EnumSet.of(Callback.Source.ERROR), null, "@OnError"));
    }

    /** The type of the message parameter of an {@code @OnMessage} method: its first parameter that is not the session. */
    private static Class<?> messageKind(Method m) {
        for (java.lang.reflect.Parameter p : m.getParameters()) {
            if (p.getType() == boolean.class) {
                throw new GuardConfigException(Callback.where(m) + " takes partial messages: wsguard assembles"
                        + " each message within wsguard.message.max-bytes; declare the whole-message form");
            }
        }
        for (java.lang.reflect.Parameter p : m.getParameters()) {
            Class<?> type = p.getType();
            if (type == jakarta.websocket.Session.class
                    || p.isAnnotationPresent(jakarta.websocket.server.PathParam.class)) {
                continue;
            }
            if (type == PongMessage.class) {
                throw new GuardConfigException(Callback.where(m) + " takes pong messages: on a guarded endpoint the"
                        + " guard answers pongs itself (keep-alive, wsguard.session.ping-interval)");
            }
            if (type == String.class || type == java.io.Reader.class || type == java.io.InputStream.class) {
                throw new GuardConfigException(Callback.where(m) + " takes raw " + type.getSimpleName() + ": a guarded"
                        + " endpoint's text @OnMessage takes its message family (a sealed interface of records with"
                        + " @JsonbTypeInfo), so that every message is decoded strictly and authorized by type");
            }
            return type;
        }
        throw new GuardConfigException(Callback.where(m) + " takes no message");
    }

    /**
     * The family's reader: from the endpoint's {@link StrictJsonDecoder} when it declares one (its limits hold),
     * else the shared default-limits reader of the method's parameter type. Any other decoder is refused: wsguard
     * decodes guarded messages itself.
     */
    private static StrictJsonReader<?> readerFor(Class<?> endpointClass, Class<?> family, Method method) {
        ServerEndpoint annotation = endpointClass.getAnnotation(ServerEndpoint.class);
        Class<? extends Decoder>[] decoders = annotation == null ? null : annotation.decoders();
        StrictJsonReader<?> reader = null;
        if (decoders != null) {
            for (Class<? extends Decoder> decoder : decoders) {
                if (!StrictJsonDecoder.class.isAssignableFrom(decoder)) {
                    throw new GuardConfigException(endpointClass.getName() + " declares the decoder "
                            + decoder.getName() + ": on a guarded endpoint messages are decoded by wsguard; declare"
                            + " a subclass of dev.wsguard.message.StrictJsonDecoder for the family, or none");
                }
                if (reader != null) {
                    throw new GuardConfigException(endpointClass.getName() + " declares more than one"
                            + " StrictJsonDecoder: one family per endpoint");
                }
                try {
                    reader = ((StrictJsonDecoder<?>) decoder.getDeclaredConstructor().newInstance()).reader();
                } catch (ReflectiveOperationException e) {
                    throw new GuardConfigException(decoder.getName() + " needs a public no-argument constructor",
                            e);
                }
            }
        }
        if (reader == null) {
            reader = StrictJsonReader.shared(family);
        }
        if (reader.family() != family) {
            throw new GuardConfigException(Callback.where(method) + " takes " + family.getName() + " but the"
                    + " endpoint's decoder reads " + reader.family().getName());
        }
        return reader;
    }

    private static void refuseEncoders(Class<?> endpointClass) {
        ServerEndpoint annotation = endpointClass.getAnnotation(ServerEndpoint.class);
        if (annotation != null && annotation.encoders().length > 0) {
            throw new GuardConfigException(endpointClass.getName() + " declares encoders: a guarded endpoint's"
                    + " @OnMessage returns a String (sent as is) or an object sent as JSON (JSON-B); remove encoders");
        }
    }

    /** Callbacks the runtime would call but wsguard would not see: non-public lifecycle or message methods. */
    private static void refuseHiddenCallbacks(Class<?> endpointClass) {
        for (Class<?> c = endpointClass; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                boolean callback = m.isAnnotationPresent(OnMessage.class) || m.isAnnotationPresent(OnOpen.class)
                        || m.isAnnotationPresent(OnClose.class) || m.isAnnotationPresent(OnError.class);
                if (callback && !java.lang.reflect.Modifier.isPublic(m.getModifiers())) {
                    throw new GuardConfigException(Callback.where(m) + " must be public, as Jakarta WebSocket"
                            + " requires of endpoint callbacks");
                }
            }
        }
    }

    private static Method only(Method present, Method found, String what) {
        if (present != null && !present.equals(found)) {
            throw new GuardConfigException(found.getDeclaringClass().getName() + " declares more than one " + what
                    + " (" + present.getName() + ", " + found.getName() + ")");
        }
        return found;
    }

    // ------------------------------------------------------------------ both shapes

    private static void refuseReservedType(Class<?> endpointClass, StrictJsonReader<?> reader) {
        if (reader.subtypes().containsValue(AUTH_TYPE)) {
            throw new GuardConfigException(endpointClass.getName() + ": the message type 'auth' is reserved for"
                    + " in-band token refresh");
        }
    }

    private static Route route(Class<?> type, String alias, Method method, Callback target) {
        AccessRule rule = AccessRule.of(type, method);
        if (type != null && !rule.hasRule()) {
            System.getLogger("dev.wsguard").log(System.Logger.Level.WARNING, "message type '" + alias + "' of "
                    + method.getDeclaringClass().getName() + " has no authorization rule (@RolesAllowed, @PermitAll,"
                    + " @RequiresScope or @DenyAll): every such message is refused");
        }
        List<RateLimit> limits = new ArrayList<>();
        if (type != null) {
            limits.addAll(List.of(type.getAnnotationsByType(RateLimit.class)));
        }
        limits.addAll(List.of(method.getAnnotationsByType(RateLimit.class)));
        for (RateLimit declared : limits) {
            checkDeclared(declared, type != null ? type.getName() : Callback.where(method));
        }
        boolean audited = (type != null && type.isAnnotationPresent(Audited.class))
                || method.isAnnotationPresent(Audited.class);
        return new Route(type, alias, rule, type == null ? null : channelRule(type), List.copyOf(limits), audited,
                target);
    }

    /** A declared limit that configuration could not fix: refused at deployment, not at the first message. */
    private static void checkDeclared(RateLimit declared, String where) {
        if (!declared.name().matches("[a-z0-9][a-z0-9-]*")) {
            throw new GuardConfigException(where + ": @RateLimit name '" + declared.name() + "' must be kebab-case"
                    + " (it is the <name> of wsguard.rate-limit.<name>.*)");
        }
        if (declared.limitForPeriod() < 1) {
            throw new GuardConfigException(where + ": @RateLimit(name = \"" + declared.name()
                    + "\") limitForPeriod must be at least 1: " + declared.limitForPeriod());
        }
        Duration period;
        try {
            period = Duration.parse(declared.refreshPeriod());
        } catch (DateTimeParseException e) {
            throw new GuardConfigException(where + ": @RateLimit(name = \"" + declared.name() + "\") refreshPeriod"
                    + " is not an ISO-8601 duration: " + declared.refreshPeriod(), e);
        }
        if (period.isNegative() || period.isZero()) {
            throw new GuardConfigException(where + ": @RateLimit(name = \"" + declared.name() + "\") refreshPeriod"
                    + " must be positive: " + declared.refreshPeriod());
        }
    }

    private static ChannelRule channelRule(Class<?> type) {
        if (!type.isRecord()) {
            return null;
        }
        ChannelRule rule = null;
        for (RecordComponent component : type.getRecordComponents()) {
            Channel channel = component.getAnnotation(Channel.class);
            if (channel == null) {
                continue;
            }
            if (rule != null) {
                throw new GuardConfigException(type.getName() + " has more than one @Channel component");
            }
            rule = new ChannelRule(channel, Callback.unreflect(component.getAccessor()), type.getName());
        }
        return rule;
    }
}
