package dev.wsguard.docs;

import dev.wsguard.internal.ConfigKeys;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docs/configuration.md} and the sample configurations list exactly the keys the code reads
 * ({@link ConfigKeys}): a key added to the code without documentation, or a documented key the code ignores, fails.
 */
class ConfigReferenceTest {

    private static final Path REFERENCE = Path.of("docs", "configuration.md");
    private static final Path SAMPLE = Path.of("server-config", "microprofile-config.properties");
    private static final Pattern FIRST_CELL = Pattern.compile("^\\| `([^`]+)` \\|");

    @Test
    void referenceWhenReadThenItsKeyTableIsExactlyTheCodesKeys() throws IOException {
        List<String> documented = keyTable();
        List<String> expected = new ArrayList<>(ConfigKeys.KEYS);
        expected.addAll(ConfigKeys.PATTERNS);
        assertThat(documented).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void sampleWhenReadThenEveryKeyIsKnownAndEveryKeyIsThere() throws IOException {
        Set<String> named = propertyNames(SAMPLE);
        assertThat(named).allSatisfy(key -> assertThat(ConfigKeys.known(key)).as(key + " is a key wsguard reads")
                .isTrue());
        assertThat(named).containsAll(ConfigKeys.KEYS);
    }

    @Test
    void payaraPropertiesWhenReadThenEveryKeyIsKnown() throws IOException {
        assertThat(propertyNames(Path.of("server-config", "payara", "wsguard.properties")))
                .isNotEmpty().allSatisfy(key -> assertThat(ConfigKeys.known(key)).as(key).isTrue());
    }

    /** The first column of the table under "## Every key". */
    private static List<String> keyTable() throws IOException {
        List<String> keys = new ArrayList<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(REFERENCE)) {
            if (line.startsWith("## ")) {
                inSection = line.equals("## Every key");
                continue;
            }
            Matcher m = FIRST_CELL.matcher(line);
            if (inSection && m.find()) {
                keys.add(m.group(1));
            }
        }
        assertThat(keys).as("keys in the table of " + REFERENCE).isNotEmpty();
        return keys;
    }

    /** Every key set in {@code file}, and every key shown commented out ({@code #key=value}). */
    private static Set<String> propertyNames(Path file) throws IOException {
        StringBuilder uncommented = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            boolean shownOff = line.matches("#(wsguard|mp\\.jwt)\\.[a-z0-9.<>-]+=.*");
            uncommented.append(shownOff ? line.substring(1) : line).append('\n');
        }
        Properties p = new Properties();
        p.load(new StringReader(uncommented.toString()));
        return new LinkedHashSet<>(p.stringPropertyNames());
    }
}
