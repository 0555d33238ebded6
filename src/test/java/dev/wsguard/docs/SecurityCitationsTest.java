package dev.wsguard.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every claim of {@code SECURITY.md} cites a test that exists: each cited test class is a file under one of the test
 * source roots, and each cited method is declared in it. A threat row that cites none must say it is not yet proven.
 */
class SecurityCitationsTest {

    private static final Path SECURITY = Path.of("SECURITY.md");
    private static final List<Path> TEST_ROOTS = List.of(Path.of("src", "test", "java"),
            Path.of("examples", "chat", "src", "test", "java"), Path.of("arquillian-tests", "src", "test", "java"),
            Path.of("probe", "src", "test", "java"));
    /** {@code FooTest}, {@code FooIT}, {@code FooSuite}, optionally {@code .method} or {@code #method}. */
    private static final Pattern CITATION = Pattern.compile("`([A-Z]\\w*(?:Test|IT|Suite))(?:[.#](\\w+))?`");

    @Test
    void citationsWhenLookedUpThenEveryCitedTestAndMethodExists() throws IOException {
        List<String> missing = new ArrayList<>();
        int cited = 0;
        for (String line : Files.readAllLines(SECURITY)) {
            Matcher m = CITATION.matcher(line);
            while (m.find()) {
                cited++;
                Optional<Path> source = find(m.group(1));
                if (source.isEmpty()) {
                    missing.add(m.group(1) + " (no such test class)");
                } else if (m.group(2) != null && !Files.readString(source.get()).matches(
                        "(?s).*\\b" + Pattern.quote(m.group(2)) + "\\s*\\(.*")) {
                    missing.add(m.group(1) + "." + m.group(2) + " (no such method in " + source.get() + ")");
                }
            }
        }
        assertThat(cited).isGreaterThan(50);
        assertThat(missing).isEmpty();
    }

    @Test
    void threatRowsWhenReadThenEachCitesATestOrSaysNotYetProven() throws IOException {
        List<String> unproven = new ArrayList<>();
        for (String line : Files.readAllLines(SECURITY)) {
            if (!line.startsWith("| ") || line.startsWith("| threat ") || line.startsWith("|---")) {
                continue;
            }
            String[] cells = line.split("(?<!\\\\)\\|");
            String proof = cells[cells.length - 1].isBlank() && cells.length > 1 ? cells[cells.length - 2]
                    : cells[cells.length - 1];
            if (!CITATION.matcher(proof).find() && !proof.contains("not yet proven")) {
                unproven.add(line.substring(0, Math.min(80, line.length())));
            }
        }
        assertThat(unproven).isEmpty();
    }

    private static Optional<Path> find(String className) {
        String file = className + ".java";
        for (Path root : TEST_ROOTS) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                Optional<Path> found = files.filter(p -> p.getFileName().toString().equals(file)).findFirst();
                if (found.isPresent()) {
                    return found;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Optional.empty();
    }
}
