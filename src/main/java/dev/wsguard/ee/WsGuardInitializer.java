package dev.wsguard.ee;

import dev.wsguard.GuardConfigException;
import dev.wsguard.GuardedEndpoint;
import dev.wsguard.WsGuardConfigurator;
import dev.wsguard.internal.UpgradeHandoff;
import dev.wsguard.internal.message.MessageGuard;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.annotation.HandlesTypes;
import jakarta.websocket.server.ServerEndpoint;

import java.lang.reflect.InvocationTargetException;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Registers a {@link WsGuardFilter} on the path of every {@code @ServerEndpoint} of the WAR whose configurator is
 * a {@link WsGuardConfigurator}, so that refused upgrades get their exact status before the 101 on every Servlet
 * container: without it WildFly answers a refusal from the configurator with 404 or 500 and Payara with 403 or
 * 500. Found by the container through {@code META-INF/services}; no {@code web.xml} entry is needed.
 *
 * <p>Deployment fails ({@link GuardConfigException}) when a guarded endpoint's messages could reach user code
 * unchecked (it does not extend {@link GuardedEndpoint}, or declares its own {@code @OnMessage}), or when its
 * configuration is incomplete or unsafe.
 */
@HandlesTypes(ServerEndpoint.class)
public final class WsGuardInitializer implements ServletContainerInitializer {

    private static final System.Logger LOG = System.getLogger("dev.wsguard");

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) {
        if (classes == null) {
            return;
        }
        for (Class<?> endpoint : classes) {
            ServerEndpoint annotation = endpoint.getAnnotation(ServerEndpoint.class);
            if (annotation == null || !WsGuardConfigurator.class.isAssignableFrom(annotation.configurator())) {
                continue;
            }
            try {
                MessageGuard.validate(endpoint);
            } catch (GuardConfigException e) {
                LOG.log(System.Logger.Level.ERROR, "wsguard refuses to deploy " + endpoint.getName() + ": "
                        + e.getMessage());
                throw e;
            }
            WsGuardConfigurator configurator = instantiate(annotation.configurator());
            String pattern = urlPattern(annotation.value());
            FilterRegistration.Dynamic filter = context.addFilter("wsguard:" + endpoint.getName(),
                    new WsGuardFilter(endpoint, annotation.value(), pathMatcher(annotation.value()),
                            UpgradeHandoff.guardOf(configurator)));
            if (filter == null) {
                throw new GuardConfigException("a filter named wsguard:" + endpoint.getName() + " already exists");
            }
            filter.setAsyncSupported(true);
            // Before every filter of the application (isMatchAfter = false): nothing runs ahead of the guard.
            filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, pattern);
            LOG.log(System.Logger.Level.INFO, "wsguard guards upgrades to " + context.getContextPath() + pattern
                    + " (" + endpoint.getName() + ") before the 101");
        }
    }

    /**
     * The Servlet pattern covering an endpoint path: exact for a plain path, the prefix up to the first URI
     * template variable otherwise ({@code /rooms/{id}} becomes {@code /rooms/*}).
     */
    static String urlPattern(String endpointPath) {
        int variable = endpointPath.indexOf('{');
        if (variable < 0) {
            // "" is the Servlet pattern of the context root alone; "/" would mean the default servlet.
            return endpointPath.equals("/") ? "" : endpointPath;
        }
        String prefix = endpointPath.substring(0, endpointPath.lastIndexOf('/', variable));
        return prefix + "/*";
    }

    /**
     * The paths the endpoint answers, within the context: a URI template's variables match one path segment. The
     * filter leaves other upgrades under a template's prefix to their own endpoints.
     */
    static Pattern pathMatcher(String endpointPath) {
        StringBuilder regex = new StringBuilder();
        Matcher variables = Pattern.compile("\\{[^}]*}").matcher(endpointPath);
        int last = 0;
        while (variables.find()) {
            regex.append(Pattern.quote(endpointPath.substring(last, variables.start()))).append("[^/]+");
            last = variables.end();
        }
        regex.append(Pattern.quote(endpointPath.substring(last)));
        return Pattern.compile(regex.toString());
    }

    private static WsGuardConfigurator instantiate(Class<?> type) {
        try {
            return (WsGuardConfigurator) type.getDeclaredConstructor().newInstance();
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new GuardConfigException("cannot create " + type.getName() + ": " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new GuardConfigException(type.getName() + " needs a public no-argument constructor, as the"
                    + " WebSocket specification requires of a configurator", e);
        }
    }
}
