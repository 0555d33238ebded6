package dev.wsguard.bench.driver;

import dev.wsguard.bench.BenchKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/** A fresh RS256 key for one run, its public half as a PEM file for the servers, and the clients' tokens. */
final class Tokens {

    final Path pem;
    private final BenchKeys keys;

    private Tokens(Path pem, BenchKeys keys) {
        this.pem = pem;
        this.keys = keys;
    }

    /** Generates the key and writes {@code bench-key.pem} into {@code dir}. */
    static Tokens generate(Path dir) throws Exception {
        BenchKeys keys = new BenchKeys();
        Path pem = dir.resolve("bench-key.pem");
        Files.writeString(pem, keys.publicKeyPem());
        return new Tokens(pem, keys);
    }

    /** Tokens of {@code n} distinct users, {@code user-0} to {@code user-(n-1)}. */
    List<String> users(int n) {
        return IntStream.range(0, n).parallel().mapToObj(i -> sign("user-" + i)).toList();
    }

    /** A token with the example's claims (tenant acme, chat scopes) for {@code subject}, valid for two hours. */
    String sign(String subject) {
        return keys.token(subject);
    }
}
