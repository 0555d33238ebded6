package dev.wsguard.ee;

import dev.wsguard.GuardConfig;
import dev.wsguard.internal.HandshakeGuard;
import dev.wsguard.internal.UpgradeHandoff;
import dev.wsguard.testing.TestTokens;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pre-upgrade filter's hand-off to the configurator, without a container: the quota slot of an upgrade that fails
 * after the filter comes back, and the verdict cannot be reached by anything a client sends or by another endpoint.
 * The same filter on real Payara and WildFly is proven by the contract suite ({@code ContractIT}).
 */
class WsGuardFilterTest {

    private static final String ORIGIN = "https://chat.test";

    /** Stands for the guarded endpoint. */
    static final class Guarded {
    }

    /** Stands for another endpoint of the same WAR. */
    static final class Other {
    }

    private final HandshakeGuard guard = new HandshakeGuard(GuardConfig.builder().allowedOrigins(ORIGIN)
            .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048())).issuer(TestTokens.ISSUER)
            .audiences(TestTokens.AUDIENCE).connectionQuotas(100, 1, 100, 100).build());
    private final WsGuardFilter filter = new WsGuardFilter(Guarded.class, "/chat", Pattern.compile("/chat"), guard);
    private final String token = TestTokens.token().subject("ann").sign();

    @AfterEach
    void close() {
        guard.close();
    }

    @Test
    void upgradeWhenItFailsAfterTheFilterThenQuotaSlotComesBack() throws Exception {
        // max-per-user is 1: a slot still held would refuse the next upgrade of the same user with 429.
        for (int i = 0; i < 3; i++) {
            Response failed = upgrade((req, res) -> ((HttpServletResponse) res).setStatus(400));
            assertThat(failed.status).isEqualTo(400);
        }
        // Taken by the configurator, but the container then answered an error instead of the 101.
        Response takenThenFailed = upgrade((req, res) -> {
            assertThat(UpgradeHandoff.take(Guarded.class)).isNotNull();
            ((HttpServletResponse) res).setStatus(500);
        });
        assertThat(takenThenFailed.status).isEqualTo(500);

        Response upgraded = upgrade(switchingProtocols());
        assertThat(upgraded.status).isEqualTo(101);
        Response second = upgrade(switchingProtocols());
        assertThat(second.status).as("the upgraded session holds the user's one slot").isEqualTo(429);
        assertThat(second.headers).containsEntry("Retry-After", "10").containsEntry("Connection", "close");
    }

    @Test
    void verdictWhenSoughtOutsideTheFilteredRequestThenNoneIsFound() throws Exception {
        AtomicReference<UpgradeHandoff.Ticket> other = new AtomicReference<>();
        AtomicReference<UpgradeHandoff.Ticket> elsewhere = new AtomicReference<>();
        AtomicReference<UpgradeHandoff.Ticket> first = new AtomicReference<>();
        AtomicReference<UpgradeHandoff.Ticket> again = new AtomicReference<>();
        Response response = upgrade((req, res) -> {
            other.set(UpgradeHandoff.take(Other.class));
            elsewhere.set(CompletableFuture.supplyAsync(() -> UpgradeHandoff.take(Guarded.class)).join());
            first.set(UpgradeHandoff.take(Guarded.class));
            again.set(UpgradeHandoff.take(Guarded.class));
            ((HttpServletResponse) res).setStatus(101);
        });
        assertThat(response.status).isEqualTo(101);
        assertThat(other.get()).as("another endpoint's configurator").isNull();
        assertThat(elsewhere.get()).as("another thread").isNull();
        assertThat(first.get()).isNotNull();
        assertThat(first.get().accepted().identity().getSubject()).isEqualTo("ann");
        assertThat(again.get()).as("a second take").isNull();
        assertThat(UpgradeHandoff.take(Guarded.class)).as("after the filter returned").isNull();
    }

    @Test
    void verdictWhenRequestRefusedThenChainNeverRunsAndNoVerdictExists() throws Exception {
        AtomicReference<Boolean> ran = new AtomicReference<>(false);
        // Headers a forger might hope the configurator trusts change nothing: only the filter's check counts.
        Map<String, String> headers = new HashMap<>(Map.of("Origin", "https://evil.test",
                "Authorization", "Bearer " + token, "X-WsGuard-Verdict", "accepted"));
        Response refused = upgrade(headers, (req, res) -> ran.set(true));
        assertThat(refused.status).isEqualTo(403);
        assertThat(ran.get()).isFalse();
        assertThat(UpgradeHandoff.take(Guarded.class)).isNull();
    }

    private static FilterChain switchingProtocols() {
        return (req, res) -> {
            UpgradeHandoff.take(Guarded.class);
            ((HttpServletResponse) res).setStatus(101);
        };
    }

    private Response upgrade(FilterChain chain) throws Exception {
        return upgrade(Map.of("Origin", ORIGIN, "Authorization", "Bearer " + token), chain);
    }

    private Response upgrade(Map<String, String> extra, FilterChain chain) throws Exception {
        Map<String, String> headers = new HashMap<>(extra);
        headers.put("Upgrade", "websocket");
        headers.put("Connection", "Upgrade");
        Response response = new Response();
        HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(WsGuardFilterTest.class
                .getClassLoader(), new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) ->
                switch (method.getName()) {
                    case "getMethod" -> "GET";
                    case "getRequestURI" -> "/chat";
                    case "getContextPath" -> "";
                    case "getRemoteAddr" -> "192.0.2.7";
                    case "isSecure" -> false;
                    case "getParameterMap" -> Map.of();
                    case "getHeaderNames" -> Collections.enumeration(headers.keySet());
                    case "getHeaders" -> Collections.enumeration(headers.containsKey((String) args[0])
                            ? List.of(headers.get((String) args[0])) : List.of());
                    default -> null;
                });
        HttpServletResponse servletResponse = (HttpServletResponse) Proxy.newProxyInstance(WsGuardFilterTest.class
                .getClassLoader(), new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "setStatus" -> response.status = (Integer) args[0];
                        case "setHeader" -> response.headers.put((String) args[0], (String) args[1]);
                        case "getStatus" -> {
                            return response.status;
                        }
                        default -> {
                        }
                    }
                    return null;
                });
        filter.doFilter(request, servletResponse, chain);
        return response;
    }

    private static final class Response {
        int status = 200;
        final Map<String, String> headers = new HashMap<>();
    }
}
