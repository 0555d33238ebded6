package dev.wsguard.bench.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import java.security.interfaces.RSAPublicKey;
import com.nimbusds.jwt.SignedJWT;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.OnMessage;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;
import java.text.ParseException;
import java.util.List;

/**
 * The handshake reference: plain Tyrus plus one bare RS256 signature check of the bearer token, the crypto no
 * token-checking layer can avoid. No claim checks, no origin, nothing else. Not secure; a yardstick only.
 */
@ServerEndpoint(value = "/verify", configurator = VerifyOnlyEndpoint.BareSignature.class)
public class VerifyOnlyEndpoint {

    @OnMessage
    public String onMessage(String text) {
        return PlainDecoding.handle(text);
    }

    /** Verifies the signature of {@code Authorization: Bearer ...}; drops the connection when it does not verify. */
    public static class BareSignature extends ServerEndpointConfig.Configurator {
        private static volatile RSASSAVerifier verifier;

        static void key(RSAPublicKey key) {
            verifier = new RSASSAVerifier(key);
        }

        @Override
        public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
            List<String> auth = request.getHeaders().get("authorization");
            try {
                if (auth == null || auth.isEmpty() || !SignedJWT.parse(auth.get(0).substring(7)).verify(verifier)) {
                    throw new IllegalStateException("no valid signature");
                }
            } catch (ParseException | JOSEException e) {
                throw new IllegalStateException("no valid signature");
            }
        }
    }
}
