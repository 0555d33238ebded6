package dev.wsguard.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A catalogue attack carried by one upgrade request, as data: how to build the request from what the endpoint trusts,
 * and the exact answer a wsguard-guarded endpoint gives it. The probe sends the request and counts any refusal as a
 * pass (an endpoint guarded otherwise may refuse differently); wsguard's own contract suite sends the same request
 * and asserts {@link #status} and {@link #challenge} exactly. One definition serves both.
 *
 * @param attack    the catalogue entry
 * @param status    what wsguard answers instead of the 101: 403 for an origin, 401 for a credential
 * @param challenge the {@code WWW-Authenticate} value wsguard sends with that status, where it is pinned
 * @param request   builds the request; throws {@link NotApplicable} when {@link Given} lacks what it needs
 */
public record UpgradeAttack(Attack attack, int status, Optional<String> challenge, Function<Given, Request> request) {

    public UpgradeAttack {
        Objects.requireNonNull(attack, "attack");
        Objects.requireNonNull(challenge, "challenge");
        Objects.requireNonNull(request, "request");
    }

    /** The request for {@code given}. */
    public Request requestFor(Given given) {
        return request.apply(given);
    }

    @Override
    public String toString() {
        return attack.id();
    }

    /**
     * What the attacks are built from.
     *
     * @param origin        the origin the endpoint allows
     * @param token         a valid token
     * @param carrier       where the endpoint reads it
     * @param cookieName    the cookie it reads the token from, for {@link TokenCarrier#COOKIE} and the cookie
     *                      attacks ({@code Bearer}, wsguard's default, unless the endpoint names another)
     * @param expiredToken  an expired token, if one was given
     * @param publicKeyPem  the endpoint's verification key (PEM), for the key-confusion forgeries
     * @param signingKeyPem a key the endpoint trusts (PKCS#8 PEM, a test issuer's), for tokens that are signed
     *                      correctly and wrong in one claim only
     */
    public record Given(String origin, String token, TokenCarrier carrier, String cookieName,
            Optional<String> expiredToken, Optional<String> publicKeyPem, Optional<String> signingKeyPem) {

        /** wsguard's cookie name ({@code mp.jwt.token.cookie} unset). */
        public static final String DEFAULT_COOKIE = "Bearer";

        public Given {
            Objects.requireNonNull(origin, "origin");
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(carrier, "carrier");
            Objects.requireNonNull(cookieName, "cookieName");
            Objects.requireNonNull(expiredToken, "expiredToken");
            Objects.requireNonNull(publicKeyPem, "publicKeyPem");
            Objects.requireNonNull(signingKeyPem, "signingKeyPem");
        }

        /** Only the origin and a token sent in an {@code Authorization} header. */
        public static Given of(String origin, String token) {
            return new Given(origin, token, TokenCarrier.HEADER, DEFAULT_COOKIE, Optional.empty(), Optional.empty(),
                    Optional.empty());
        }

        public Given withPublicKey(String pem) {
            return new Given(origin, token, carrier, cookieName, expiredToken, Optional.of(pem), signingKeyPem);
        }

        public Given withSigningKey(String pem) {
            return new Given(origin, token, carrier, cookieName, expiredToken, publicKeyPem, Optional.of(pem));
        }

        /** A request with {@code origin} and {@code token} (each left out when null), where the endpoint reads it. */
        public Request request(String origin, String token) {
            return Request.of(origin, token, carrier, cookieName);
        }
    }

    /**
     * An upgrade request's own part: the headers besides the protocol's ({@code Host}, {@code Upgrade},
     * {@code Connection}, {@code Sec-WebSocket-Key}, {@code Sec-WebSocket-Version}), in order, a name possibly twice;
     * and the query to add to the endpoint's URL (raw, or null).
     */
    public record Request(String query, List<Map.Entry<String, String>> headers) {

        public Request {
            headers = List.copyOf(headers);
        }

        /**
         * A request with {@code origin} and {@code token} (each left out when null), where {@code carrier} says
         * ({@code cookieName} naming the cookie of {@link TokenCarrier#COOKIE}).
         */
        public static Request of(String origin, String token, TokenCarrier carrier, String cookieName) {
            return new Request(null, List.of()).with("Origin", origin).carrying(token, carrier, cookieName);
        }

        /** This request with one more header; unchanged when {@code value} is null. */
        public Request with(String name, String value) {
            if (value == null) {
                return this;
            }
            List<Map.Entry<String, String>> more = new ArrayList<>(headers);
            more.add(Map.entry(name, value));
            return new Request(query, more);
        }

        /** This request with {@code token} (none when null) where {@code carrier} says. */
        public Request carrying(String token, TokenCarrier carrier, String cookieName) {
            if (token == null) {
                return this;
            }
            return switch (carrier) {
                case COOKIE -> with("Cookie", cookieName + "=" + token);
                case HEADER -> with("Authorization", "Bearer " + token);
                case SUBPROTOCOL -> with("Sec-WebSocket-Protocol", "bearer, " + token);
                case QUERY -> new Request((query == null ? "" : query + "&") + "access_token="
                        + java.net.URLEncoder.encode(token, java.nio.charset.StandardCharsets.UTF_8), headers);
            };
        }
    }
}
