package dev.wsguard.contract.naive;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;
import org.eclipse.microprofile.config.ConfigProvider;

import java.io.IOException;
import java.text.ParseException;
import java.util.Date;
import java.util.List;

/**
 * UNGUARDED, on purpose: a chat socket that signs its user in by the {@code Bearer} cookie, verifying the token's
 * signature and expiry with the key the guarded chat is configured with, and checking no {@code Origin}, as the
 * Jakarta WebSocket runtimes themselves do not. Greets a signed-in user as the example's chat does.
 */
@ServerEndpoint(value = "/naive-chat", configurator = CookieChatEndpoint.SignInCookie.class)
public class CookieChatEndpoint {

    private static final String USER = "naive.user";

    /** Reads the cookie during the handshake; the user-properties map is this connection's own there. */
    public static class SignInCookie extends ServerEndpointConfig.Configurator {

        @Override
        public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request,
                                    jakarta.websocket.HandshakeResponse response) {
            String user = subject(request.getHeaders().getOrDefault("Cookie", List.of()));
            if (user != null) {
                config.getUserProperties().put(USER, user);
            }
        }
    }

    @OnOpen
    public void open(Session session, EndpointConfig config) throws IOException {
        Object user = config.getUserProperties().get(USER);
        if (user == null) {
            session.close(new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "not signed in"));
        } else {
            session.getBasicRemote().sendText("{\"type\":\"welcome\",\"user\":\"" + user + "\"}");
        }
    }

    /** The verified subject of the {@code Bearer} cookie, or null. */
    private static String subject(List<String> cookieHeaders) {
        for (String header : cookieHeaders) {
            for (String pair : header.split(";")) {
                String cookie = pair.trim();
                if (cookie.startsWith("Bearer=")) {
                    return verified(cookie.substring("Bearer=".length()));
                }
            }
        }
        return null;
    }

    private static String verified(String token) {
        try {
            String jwks = ConfigProvider.getConfig(CookieChatEndpoint.class.getClassLoader())
                    .getValue("mp.jwt.verify.publickey", String.class);
            RSAKey key = (RSAKey) JWKSet.parse(jwks).getKeys().get(0);
            SignedJWT jwt = SignedJWT.parse(token);
            Date expiry = jwt.getJWTClaimsSet().getExpirationTime();
            boolean valid = jwt.verify(new RSASSAVerifier(key)) && expiry != null && expiry.after(new Date());
            return valid ? jwt.getJWTClaimsSet().getSubject() : null;
        } catch (ParseException | JOSEException e) {
            return null;
        }
    }
}
