package dev.wsguard.tyrus;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.Collections;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** Builds the server's {@link SSLContext} from a PKCS12 keystore, failing at once on anything unusable. */
final class TlsContexts {

    static SSLContext fromPkcs12(Path keystore, char[] password) {
        char[] copy = password.clone();
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, copy);
            boolean hasKey = false;
            for (String alias : Collections.list(store.aliases())) {
                hasKey |= store.isKeyEntry(alias);
            }
            if (!hasKey) {
                throw new IllegalArgumentException("keystore " + keystore + " holds no private key");
            }
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, copy);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            // The message names the file and the failure (e.g. a wrong password), never the password.
            throw new IllegalArgumentException("cannot use PKCS12 keystore " + keystore + ": " + e.getMessage(), e);
        } finally {
            Arrays.fill(copy, '\0');
        }
    }

    private TlsContexts() {
    }
}
