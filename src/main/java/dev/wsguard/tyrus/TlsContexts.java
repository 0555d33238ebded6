package dev.wsguard.tyrus;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Builds the server's {@link SSLContext} from a PKCS12 keystore or from PEM files, failing at once on anything
 * unusable.
 */
final class TlsContexts {

    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final char[] IN_MEMORY = "wsguard".toCharArray();

    /**
     * @param privateKeyPem   an unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY}): RSA, EC or EdDSA
     * @param certificatesPem the certificate chain, server certificate first ({@code BEGIN CERTIFICATE} blocks)
     */
    static SSLContext fromPem(Path privateKeyPem, Path certificatesPem) {
        PrivateKey key = privateKey(privateKeyPem);
        List<X509Certificate> chain = certificates(certificatesPem);
        if (!matches(key, chain.get(0).getPublicKey())) {
            throw new IllegalArgumentException("the private key in " + privateKeyPem + " does not belong to the first"
                    + " certificate in " + certificatesPem);
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, IN_MEMORY, chain.toArray(new Certificate[0]));
            return context(store, IN_MEMORY);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the PEM key and certificates: " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Path file) {
        String text = read(file);
        Matcher m = PEM_BLOCK.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException(file + " holds no PEM block");
        }
        if (!m.group(1).equals("PRIVATE KEY")) {
            // PKCS#1 ("RSA PRIVATE KEY"), SEC1 ("EC PRIVATE KEY") and encrypted keys need a conversion first.
            throw new IllegalArgumentException(file + " holds a '" + m.group(1) + "' block; an unencrypted PKCS#8"
                    + " 'PRIVATE KEY' is required (openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": the PRIVATE KEY block is not valid Base64");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException tryNext) {
                // not this algorithm
            }
        }
        throw new IllegalArgumentException(file + ": the private key is not an RSA, EC or EdDSA PKCS#8 key");
    }

    private static List<X509Certificate> certificates(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                chain.add((X509Certificate) c);
            }
            if (chain.isEmpty()) {
                throw new IllegalArgumentException(file + " holds no certificate");
            }
            return chain;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read certificates from " + file + ": " + e.getMessage(), e);
        }
    }

    /** A signature by the key verifies with the certificate's public key: the pair belongs together. */
    private static boolean matches(PrivateKey key, PublicKey certified) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> key.getAlgorithm();
        };
        try {
            byte[] probe = "wsguard key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                signer.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
            }
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                verifier.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
            }
            verifier.initVerify(certified);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

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
            return context(store, copy);
        } catch (IOException | GeneralSecurityException e) {
            // The message names the file and the failure (e.g. a wrong password), never the password.
            throw new IllegalArgumentException("cannot use PKCS12 keystore " + keystore + ": " + e.getMessage(), e);
        } finally {
            Arrays.fill(copy, '\0');
        }
    }

    private static SSLContext context(KeyStore store, char[] password) throws GeneralSecurityException {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private TlsContexts() {
    }
}
