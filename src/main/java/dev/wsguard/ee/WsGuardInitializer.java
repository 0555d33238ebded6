package dev.wsguard.ee;

import dev.wsguard.GuardConfigException;
import dev.wsguard.WsGuardConfigurator;
import dev.wsguard.internal.GuardAccess;
import dev.wsguard.internal.message.EndpointModel;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.HandlesTypes;
import jakarta.websocket.server.ServerApplicationConfig;
import jakarta.websocket.server.ServerEndpoint;

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
 * <p>Each guarded endpoint is read and checked here ({@code EndpointModel}): deployment fails
 * ({@link GuardConfigException}) when its messages could reach user code unchecked or its configuration is incomplete
 * or unsafe. A standard endpoint is recorded for {@link WsGuardApplicationConfig}, which deploys it wrapped; the
 * filter and the wrapped endpoint share the endpoint's one configurator.
 */
@HandlesTypes({ServerEndpoint.class, ServerApplicationConfig.class})
public final class WsGuardInitializer implements ServletContainerInitializer {

    private static final System.Logger LOG = System.getLogger("dev.wsguard");

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) {
        if (classes == null) {
            return;
        }
        boolean anyGuarded = false;
        java.util.List<EndpointModel> models = new java.util.ArrayList<>();
        for (Class<?> endpoint : classes) {
            if (!endpoint.isAnnotationPresent(ServerEndpoint.class) || !EndpointRegistry.guarded(endpoint)) {
                continue;
            }
            models.add(EndpointRegistry.deployable(endpoint));
            anyGuarded = true;
            ServerEndpoint annotation = endpoint.getAnnotation(ServerEndpoint.class);
            WsGuardConfigurator configurator = EndpointRegistry.configurator(endpoint);
            String pattern = urlPattern(annotation.value());
            FilterRegistration.Dynamic filter = context.addFilter("wsguard:" + endpoint.getName(),
                    new WsGuardFilter(endpoint, annotation.value(), pathMatcher(annotation.value()),
                            GuardAccess.of(configurator)));
            if (filter == null) {
                throw new GuardConfigException("a filter named wsguard:" + endpoint.getName() + " already exists");
            }
            filter.setAsyncSupported(true);
            // Before every filter of the application (isMatchAfter = false): nothing runs ahead of the guard.
            filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, pattern);
            LOG.log(System.Logger.Level.INFO, "wsguard guards upgrades to " + context.getContextPath() + pattern
                    + " (" + endpoint.getName() + ") before the 101");
        }
        for (Class<?> endpoint : EndpointRegistry.guardedClasses()) {
            try {
                EndpointModel.checkRateLimits(GuardAccess.of(EndpointRegistry.configurator(endpoint)).context()
                        .config(), models);
            } catch (GuardConfigException e) {
                LOG.log(System.Logger.Level.ERROR, "wsguard refuses to deploy " + endpoint.getName() + ": "
                        + e.getMessage());
                throw e;
            }
        }
        if (anyGuarded) {
            // Undeploying the WAR closes its guards: no wsguard thread, MBean or meter outlives it.
            context.addListener(new Undeploy());
            for (Class<?> type : classes) {
                if (ServerApplicationConfig.class.isAssignableFrom(type) && type != WsGuardApplicationConfig.class
                        && !type.isInterface()) {
                    LOG.log(System.Logger.Level.ERROR, "wsguard: " + type.getName() + " is a ServerApplicationConfig"
                            + " of the application: containers deploy what every such class returns, so if it returns"
                            + " a guarded endpoint, that path is deployed twice (WildFly fails the deployment, Payara"
                            + " answers 404 on every WebSocket path). Leave guarded endpoints out of it.");
                }
            }
        }
    }

    /** Closes the deployment's guards when its context is destroyed (undeploy, redeploy, server shutdown). */
    static final class Undeploy implements ServletContextListener {
        @Override
        public void contextDestroyed(ServletContextEvent event) {
            EndpointRegistry.closeAll();
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
}
