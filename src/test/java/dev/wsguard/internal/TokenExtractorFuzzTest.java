package dev.wsguard.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wsguard.GuardConfig;
import dev.wsguard.Rejection;
import dev.wsguard.TokenSource;
import dev.wsguard.testing.TestTokens;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Token extraction on any handshake headers and query: nothing is thrown; the answer is one non-empty token found
 * on an enabled source, or one of the documented refusals. A query token or a {@code bearer} subprotocol on a
 * source that is not enabled is refused, and no second, different token on an enabled source is ever ignored. Plain
 * test runs replay the saved inputs; docs/fuzzing.md says how to fuzz.
 */
class TokenExtractorFuzzTest {

    private static final Set<Rejection> REFUSALS = EnumSet.of(Rejection.TOKEN_MISSING, Rejection.TOKEN_AMBIGUOUS,
            Rejection.TOKEN_SOURCE_NOT_ALLOWED, Rejection.TOKEN_MALFORMED);
    private static final List<String> VALUES = List.of("abc", "a.b.c", "xyz", "", " ", "Bearer abc", "bearer  xyz",
            "BEARER a.b.c", "Basic abc", "bearer", "Bearer ", "abc, xyz", "Bearer abc,Bearer xyz", "bearer, abc",
            "chat, bearer, abc", "bearer,abc,bearer,xyz", "Bearer=abc", "Bearer=abc; other=1", " Bearer = xyz ;",
            "a=b;Bearer=", "Bearer=a.b.c;Bearer=xyz");
    private static final List<String> HEADER_NAMES = List.of("Authorization", "authorization", "X-Token",
            "x-token", "Sec-WebSocket-Protocol", "sec-websocket-protocol", "Cookie", "cookie");
    private static final Map<String, TokenExtractor> EXTRACTORS = new ConcurrentHashMap<>();

    @FuzzTest
    void extractWhenAnyHandshakeThenOneTokenFromAnEnabledSourceOrARefusal(FuzzedDataProvider data) {
        Set<TokenSource> sources = EnumSet.noneOf(TokenSource.class);
        for (TokenSource source : TokenSource.values()) {
            if (data.consumeBoolean()) {
                sources.add(source);
            }
        }
        if (sources.isEmpty()) {
            sources.add(TokenSource.HEADER);
        }
        String tokenHeader = data.pickValue(List.of("Authorization", "X-Token"));
        TokenExtractor extractor = EXTRACTORS.computeIfAbsent(sources + tokenHeader, k -> extractor(sources,
                tokenHeader));
        Map<String, List<String>> headers = new HashMap<>();
        int lines = data.consumeInt(0, 5);
        for (int i = 0; i < lines; i++) {
            headers.computeIfAbsent(data.pickValue(HEADER_NAMES), k -> new ArrayList<>()).add(value(data));
        }
        Map<String, List<String>> parameters = new HashMap<>();
        if (data.consumeBoolean()) {
            List<String> query = new ArrayList<>();
            int values = data.consumeInt(0, 2);
            for (int i = 0; i < values; i++) {
                query.add(data.consumeInt(0, 7) == 0 ? null : value(data));
            }
            parameters.put(data.pickValue(List.of("access_token", "other")), query);
        }
        boolean originVerified = data.consumeBoolean();
        HandshakeView request = new HandshakeView("/chat", headers, parameters, "203.0.113.9");

        TokenExtractor.Found found = extractor.extract(request, originVerified);

        List<String> query = parameters.getOrDefault("access_token", List.of());
        List<String> offered = items(request.header("Sec-WebSocket-Protocol"));
        if (found.rejection() != null) {
            assertThat(found.rejection()).isIn(REFUSALS);
            assertThat(found.token()).isNull();
            return;
        }
        String token = found.token();
        assertThat(token).isNotEmpty();
        assertThat(!query.isEmpty() && !sources.contains(TokenSource.QUERY)).as("query not enabled").isFalse();
        assertThat(offered.contains("bearer") && !sources.contains(TokenSource.SUBPROTOCOL))
                .as("subprotocol not enabled").isFalse();
        for (String value : query) {
            if (value != null && !value.isEmpty()) {
                assertThat(value).as("another token in the query").isEqualTo(token);
            }
        }
        int bearer = offered.indexOf("bearer");
        if (bearer >= 0 && bearer + 1 < offered.size()) {
            assertThat(offered.get(bearer + 1)).as("another token in the subprotocols").isEqualTo(token);
        }
        assertThat(found.viaSubprotocol()).isEqualTo(bearer >= 0);
        if (sources.contains(TokenSource.HEADER) && tokenHeader.equals("X-Token")) {
            for (String value : request.header("X-Token")) {
                String carried = value.trim();
                if (carried.toLowerCase(Locale.ROOT).startsWith("bearer ")) {
                    carried = carried.substring(7).trim();
                }
                if (!carried.isEmpty()) {
                    assertThat(carried).as("another token in the header").isEqualTo(token);
                }
            }
        }
        List<String> carriers = new ArrayList<>();
        if (sources.contains(TokenSource.HEADER)) {
            carriers.addAll(request.header(tokenHeader));
        }
        if (sources.contains(TokenSource.SUBPROTOCOL)) {
            carriers.addAll(offered);
        }
        if (sources.contains(TokenSource.QUERY)) {
            query.stream().filter(v -> v != null).forEach(carriers::add);
        }
        if (sources.contains(TokenSource.COOKIE) && originVerified) {
            carriers.addAll(request.header("Cookie"));
        }
        assertThat(carriers.stream().anyMatch(c -> c.contains(token))).as("%s comes from an enabled source", token)
                .isTrue();
    }

    private static String value(FuzzedDataProvider data) {
        return data.consumeBoolean() ? data.pickValue(VALUES) : data.consumeString(16);
    }

    private static List<String> items(List<String> lines) {
        List<String> items = new ArrayList<>();
        for (String line : lines) {
            for (String item : line.split(",")) {
                if (!item.trim().isEmpty()) {
                    items.add(item.trim());
                }
            }
        }
        return items;
    }

    private static TokenExtractor extractor(Set<TokenSource> sources, String tokenHeader) {
        GuardConfig config = GuardConfig.builder().allowedOrigins("https://chat.test")
                .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048())).issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE).tokenSources(sources.toArray(TokenSource[]::new))
                .tokenHeader(tokenHeader).build();
        return new TokenExtractor(config);
    }
}
