package dev.wsguard.internal.message;

import dev.wsguard.GuardConfigException;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.nio.ByteBuffer;
import java.util.Set;

/**
 * One method of the user's endpoint that wsguard calls itself ({@code @OnOpen}, {@code @OnMessage},
 * {@code @OnClose}, {@code @OnError} of a standard endpoint, or a {@code @OnMessageType}), with each parameter bound at
 * deployment to what fills it: the session, the message, the close reason, the error, the endpoint configuration, or
 * a {@code @PathParam}. A parameter nothing can fill fails deployment. Immutable and thread-safe.
 */
final class Callback {

    /** What fills one parameter. */
    enum Source { SESSION, MESSAGE, CLOSE_REASON, ERROR, CONFIG, PATH }

    /** The values a call may draw on; any of them may be null where the call has none. */
    record Values(Session session, Object message, CloseReason reason, Throwable error, EndpointConfig config) {
    }

    private final Method method;
    private final MethodHandle handle;
    private final Source[] sources;
    private final String[] pathNames;

    private Callback(Method method, MethodHandle handle, Source[] sources, String[] pathNames) {
        this.method = method;
        this.handle = handle;
        this.sources = sources;
        this.pathNames = pathNames;
    }

    /**
     * Binds {@code method}'s parameters.
     *
     * @param allowed      the sources this kind of method may use besides the session and path parameters
     * @param messageTypes the types a {@link Source#MESSAGE} parameter may have (null when it takes no message)
     * @throws GuardConfigException when a parameter cannot be filled, appears twice, or the method is static
     */
    static Callback of(Method method, Set<Source> allowed, Set<Class<?>> messageTypes, String role) {
        if (Modifier.isStatic(method.getModifiers())) {
            throw new GuardConfigException(where(method) + ": " + role + " must not be static");
        }
        Parameter[] params = method.getParameters();
        Source[] sources = new Source[params.length];
        String[] names = new String[params.length];
        boolean[] seen = new boolean[Source.values().length];
        for (int i = 0; i < params.length; i++) {
            Class<?> type = params[i].getType();
            PathParam path = params[i].getAnnotation(PathParam.class);
            Source source;
            if (path != null) {
                if (type != String.class) {
                    throw new GuardConfigException(where(method) + ": @PathParam(\"" + path.value() + "\") must be"
                            + " a String");
                }
                source = Source.PATH;
                names[i] = path.value();
            } else if (type == Session.class) {
                source = Source.SESSION;
            } else if (messageTypes != null && messageTypes.contains(type)) {
                source = Source.MESSAGE;
            } else if (type == CloseReason.class) {
                source = Source.CLOSE_REASON;
            } else if (type == Throwable.class) {
                source = Source.ERROR;
            } else if (type == EndpointConfig.class) {
                source = Source.CONFIG;
            } else {
                throw new GuardConfigException(where(method) + ": " + role + " cannot take a parameter of type "
                        + type.getName());
            }
            if (source != Source.SESSION && source != Source.PATH && !allowed.contains(source)) {
                throw new GuardConfigException(where(method) + ": " + role + " cannot take a parameter of type "
                        + type.getName());
            }
            if (source != Source.PATH && seen[source.ordinal()]) {
                throw new GuardConfigException(where(method) + ": " + role + " takes two parameters of type "
                        + type.getName());
            }
            seen[source.ordinal()] = true;
            sources[i] = source;
        }
        if (allowed.contains(Source.MESSAGE) && messageTypes != null && !seen[Source.MESSAGE.ordinal()]) {
            throw new GuardConfigException(where(method) + ": " + role + " must take the message");
        }
        return new Callback(method, unreflect(method).asSpreader(Object[].class, params.length), sources, names);
    }

    /** The message parameter's type; null when the method takes none. */
    Class<?> messageType() {
        for (int i = 0; i < sources.length; i++) {
            if (sources[i] == Source.MESSAGE) {
                return method.getParameterTypes()[i];
            }
        }
        return null;
    }

    Method method() {
        return method;
    }

    /** Calls the method on {@code target}; whatever it throws is passed on unchanged. */
    Object invoke(Object target, Values values) throws Throwable {
        Object[] args = new Object[sources.length];
        for (int i = 0; i < args.length; i++) {
            args[i] = switch (sources[i]) {
                case SESSION -> values.session();
                case MESSAGE -> values.message();
                case CLOSE_REASON -> values.reason();
                case ERROR -> values.error();
                case CONFIG -> values.config();
                case PATH -> values.session() == null ? null : values.session().getPathParameters().get(pathNames[i]);
            };
        }
        return handle.invoke(target, args);
    }

    /** Whether {@code type} is one a binary {@code @OnMessage} may take. */
    static boolean isBinary(Class<?> type) {
        return type == ByteBuffer.class || type == byte[].class;
    }

    static String where(Method method) {
        return method.getDeclaringClass().getName() + "." + method.getName();
    }

    static MethodHandle unreflect(Method method) {
        try {
            method.setAccessible(true);
            return MethodHandles.lookup().unreflect(method);
        } catch (IllegalAccessException | RuntimeException e) {
            throw new GuardConfigException("cannot call " + method + ": make it accessible", e);
        }
    }
}
