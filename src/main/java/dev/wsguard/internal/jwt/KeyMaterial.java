package dev.wsguard.internal.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.wsguard.GuardConfigException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads configured key material (inline or from a file or classpath location) into public JWKs. Every failure is a
 * {@link GuardConfigException} whose message names the setting and the problem, never the key material. Also fetches
 * a JWKS over http(s) ({@link #fetchJwks(URL)}), where a failure is an {@link IOException} at run time.
 */
final class KeyMaterial {

    static final String INLINE = "mp.jwt.verify.publickey";
    static final String LOCATION = "mp.jwt.verify.publickey.location";

    /** Key files are small; anything larger is a wrong path, not a key. */
    private static final int MAX_BYTES = 1024 * 1024;

    static final int HTTP_CONNECT_TIMEOUT_MS = 2_000;
    static final int HTTP_READ_TIMEOUT_MS = 2_000;
    /** A whole fetch: checked between reads, so a key server dripping its answer is cut off too. */
    static final int HTTP_DEADLINE_MS = 5_000;
    static final int HTTP_SIZE_LIMIT_BYTES = 256 * 1024;

    private static final Pattern PEM_BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");
    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]+):");

    private KeyMaterial() {
    }

    /** How a location string is to be read. */
    enum Kind { HTTP, CLASSPATH, FILE_URL, PATH }

    static Kind kindOf(String location) {
        Matcher m = SCHEME.matcher(location);
        // A one-letter "scheme" is a Windows drive, so the pattern needs two letters.
        String scheme = m.find() ? m.group(1).toLowerCase(Locale.ROOT) : "";
        return switch (scheme) {
            case "http", "https" -> Kind.HTTP;
            case "classpath" -> Kind.CLASSPATH;
            case "file" -> Kind.FILE_URL;
            case "" -> Kind.PATH;
            default -> throw new GuardConfigException(LOCATION + " has an unsupported scheme '" + scheme
                    + "'; use a file path, file:, classpath:, http: or https:");
        };
    }

    /** Reads a non-HTTP location as UTF-8 text. */
    static String read(String location) {
        return switch (kindOf(location)) {
            case CLASSPATH -> readClasspath(location.substring("classpath:".length()), location);
            case FILE_URL -> readFile(fileUrlPath(location), location);
            case PATH -> readPath(location);
            case HTTP -> throw new IllegalArgumentException("HTTP locations are fetched as JWKS");
        };
    }

    /** Parses PEM (public keys and certificates), a JWK or a JWKS into public keys, without key IDs invented. */
    static List<JWK> parse(String content, String origin) {
        String text = content.strip();
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1).strip();
        }
        if (text.isEmpty()) {
            throw new GuardConfigException(origin + " is empty");
        }
        List<JWK> keys = text.startsWith("{") ? parseJson(text, origin) : parsePem(text, origin);
        if (keys.isEmpty()) {
            throw new GuardConfigException(origin + " contains no public key");
        }
        return keys;
    }

    private static List<JWK> parseJson(String text, String origin) {
        List<JWK> keys = new ArrayList<>();
        try {
            Map<String, Object> json = JSONObjectUtils.parse(text);
            List<JWK> parsed = json.containsKey("keys") ? JWKSet.parse(json).getKeys() : List.of(JWK.parse(json));
            for (JWK key : parsed) {
                // Symmetric keys have no public part; they can never verify an allowed algorithm.
                JWK publicKey = key.toPublicJWK();
                if (publicKey == null) {
                    throw new GuardConfigException(origin + " contains a key of type " + key.getKeyType()
                            + ", which fits none of the allowed algorithms (RS*, PS*, ES*)");
                }
                keys.add(publicKey);
            }
        } catch (ParseException e) {
            throw new GuardConfigException(origin + " is not a valid JWK or JWKS document", e);
        }
        return keys;
    }

    private static List<JWK> parsePem(String text, String origin) {
        Matcher m = PEM_BLOCK.matcher(text);
        List<JWK> keys = new ArrayList<>();
        while (m.find()) {
            String label = m.group(1);
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new GuardConfigException(origin + " has a PEM block whose body is not base64");
            }
            PublicKey key = switch (label) {
                case "PUBLIC KEY" -> publicKey(der, origin);
                case "CERTIFICATE" -> certificateKey(der, origin);
                default -> throw new GuardConfigException(origin + " has a PEM block of an unsupported type; "
                        + "expected PUBLIC KEY or CERTIFICATE");
            };
            keys.add(toJwk(key, origin));
        }
        if (keys.isEmpty()) {
            throw new GuardConfigException(origin + " is neither PEM (PUBLIC KEY or CERTIFICATE) nor JWK/JWKS JSON");
        }
        return keys;
    }

    private static PublicKey publicKey(byte[] der, String origin) {
        for (String algorithm : List.of("RSA", "EC")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next key type
            }
        }
        throw new GuardConfigException(origin + " has a PUBLIC KEY that is neither an RSA nor an EC key");
    }

    private static PublicKey certificateKey(byte[] der, String origin) {
        try {
            return CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der))
                    .getPublicKey();
        } catch (GeneralSecurityException e) {
            throw new GuardConfigException(origin + " has a CERTIFICATE that cannot be parsed", e);
        }
    }

    /**
     * Converted by hand rather than with {@code JWK.parse(X509Certificate)}: that method sets the key ID to the
     * certificate serial number, which would stop a single configured key from matching tokens with any kid.
     */
    private static JWK toJwk(PublicKey key, String origin) {
        if (key instanceof RSAPublicKey rsa) {
            return new RSAKey.Builder(rsa).build();
        }
        if (key instanceof ECPublicKey ec) {
            Curve curve = Curve.forECParameterSpec(ec.getParams());
            if (curve == null) {
                throw new GuardConfigException(origin + " has an EC key on an unsupported curve");
            }
            return new ECKey.Builder(curve, ec).build();
        }
        throw new GuardConfigException(origin + " has a " + key.getAlgorithm()
                + " key, which fits none of the allowed algorithms (RS*, PS*, ES*)");
    }

    /**
     * Fetches the JWKS at {@code url} (one GET, no redirects followed, nothing cached), bounded by
     * {@value #HTTP_CONNECT_TIMEOUT_MS} ms to connect, {@value #HTTP_READ_TIMEOUT_MS} ms per read,
     * {@value #HTTP_DEADLINE_MS} ms in all and {@value #HTTP_SIZE_LIMIT_BYTES} bytes. Keys without a public part
     * (symmetric ones) are left out. Runs on a fetch thread, never a request thread.
     *
     * @throws IOException when the key server cannot be reached, answers anything but 200, is too slow or too large,
     *                     or the answer is not a JWKS; the message names neither the URL (it may carry credentials)
     *                     nor the answer
     */
    static List<JWK> fetchJwks(URL url) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HTTP_DEADLINE_MS);
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        try {
            connection.setConnectTimeout(HTTP_CONNECT_TIMEOUT_MS);
            connection.setReadTimeout(HTTP_READ_TIMEOUT_MS);
            // Each redirect would start its own timeouts; an identity provider's JWKS URL is stable.
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setRequestProperty("Accept", "application/jwk-set+json, application/json");
            int status = connection.getResponseCode();
            if (status != HttpURLConnection.HTTP_OK) {
                throw new FetchFailure("the key server answered " + status + (status / 100 == 3
                        ? " (a redirect, which is not followed: configure the final URL)" : ""));
            }
            if (connection.getContentLengthLong() > HTTP_SIZE_LIMIT_BYTES) {
                throw new FetchFailure("the answer is larger than " + HTTP_SIZE_LIMIT_BYTES + " bytes");
            }
            byte[] body;
            try (InputStream in = connection.getInputStream()) {
                body = readBounded(in, deadline);
            }
            return publicKeys(new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            // JDK messages may quote the URL; the type says enough (timeout, refused, unknown host, TLS).
            throw e instanceof FetchFailure ? e : new FetchFailure(e.getClass().getSimpleName());
        } finally {
            // Fetches are minutes apart: nothing is gained by keeping the connection alive.
            connection.disconnect();
        }
    }

    /** A fetch failure whose message is ours: safe to log. */
    private static final class FetchFailure extends IOException {
        private static final long serialVersionUID = 1L;

        FetchFailure(String message) {
            super(message);
        }
    }

    private static byte[] readBounded(InputStream in, long deadline) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
            body.write(buffer, 0, n);
            if (body.size() > HTTP_SIZE_LIMIT_BYTES) {
                throw new FetchFailure("the answer is larger than " + HTTP_SIZE_LIMIT_BYTES + " bytes");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new FetchFailure("the answer took longer than " + HTTP_DEADLINE_MS + " ms");
            }
        }
        return body.toByteArray();
    }

    private static List<JWK> publicKeys(String jwks) throws IOException {
        List<JWK> keys = new ArrayList<>();
        try {
            for (JWK key : JWKSet.parse(jwks).getKeys()) {
                JWK publicKey = key.toPublicJWK();
                if (publicKey != null) {
                    keys.add(publicKey);
                }
            }
        } catch (ParseException e) {
            throw new FetchFailure("the answer is not a JWKS document");
        }
        return keys;
    }

    /** The JDK key for a public RSA or EC JWK. */
    static PublicKey toPublicKey(JWK jwk) throws JOSEException {
        if (jwk instanceof RSAKey rsa) {
            return rsa.toRSAPublicKey();
        }
        if (jwk instanceof ECKey ec) {
            return ec.toECPublicKey();
        }
        throw new JOSEException("Unsupported key type");
    }

    private static Path fileUrlPath(String location) {
        try {
            URI uri = new URI(location);
            if (!uri.isOpaque()) {
                return Path.of(uri);
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            // fall through: treat what follows "file:" as a path
        }
        return toPath(location.substring("file:".length()), location);
    }

    private static String readPath(String location) {
        Path path = toPath(location, location);
        if (Files.isRegularFile(path)) {
            return readFile(path, location);
        }
        if (!path.isAbsolute()) {
            // MP-JWT style: a relative location that is not a file is looked up on the classpath.
            return readClasspath(location, location);
        }
        throw new GuardConfigException(LOCATION + " '" + location + "' does not exist or is not a file");
    }

    private static Path toPath(String path, String location) {
        try {
            return Path.of(path);
        } catch (InvalidPathException e) {
            throw new GuardConfigException(LOCATION + " '" + location + "' is not a valid path");
        }
    }

    private static String readFile(Path path, String location) {
        if (!Files.isRegularFile(path)) {
            throw new GuardConfigException(LOCATION + " '" + location + "' does not exist or is not a file");
        }
        try (InputStream in = Files.newInputStream(path)) {
            return decode(in.readNBytes(MAX_BYTES + 1), location);
        } catch (IOException e) {
            throw new GuardConfigException(LOCATION + " '" + location + "' cannot be read", e);
        }
    }

    private static String readClasspath(String resource, String location) {
        String name = resource.startsWith("/") ? resource.substring(1) : resource;
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        InputStream in = context == null ? null : context.getResourceAsStream(name);
        if (in == null) {
            in = KeyMaterial.class.getClassLoader().getResourceAsStream(name);
        }
        if (in == null) {
            throw new GuardConfigException(LOCATION + " '" + location + "' is not a file or classpath resource");
        }
        try (InputStream stream = in) {
            return decode(stream.readNBytes(MAX_BYTES + 1), location);
        } catch (IOException e) {
            throw new GuardConfigException(LOCATION + " '" + location + "' cannot be read", e);
        }
    }

    private static String decode(byte[] bytes, String location) {
        if (bytes.length > MAX_BYTES) {
            throw new GuardConfigException(LOCATION + " '" + location + "' is larger than " + MAX_BYTES
                    + " bytes; it is not a key file");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new GuardConfigException(LOCATION + " '" + location + "' is not UTF-8 text (binary DER is not "
                    + "supported; use PEM, JWK or JWKS)");
        }
    }
}
