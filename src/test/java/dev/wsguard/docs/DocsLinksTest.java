package dev.wsguard.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every relative link in the documentation leads somewhere: the file exists, and a {@code #fragment} names a heading
 * of that file as GitHub renders it. A newcomer finds the essentials from the README within two clicks.
 */
class DocsLinksTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");

    @Test
    void linksWhenFollowedThenEveryFileAndHeadingExists() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path doc : documents()) {
            for (String target : links(doc)) {
                String problem = problem(doc, target);
                if (problem != null) {
                    broken.add(doc + ": " + target + " (" + problem + ")");
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    @Test
    void readmeWhenReadThenEachEssentialIsOneLinkAway() throws IOException {
        Set<String> fromReadme = new LinkedHashSet<>(links(Path.of("README.md")));
        assertThat(fromReadme).contains(
                "#guard-an-endpoint",
                "docs/configuration.md",
                "docs/deploying.md#deploy-to-payara",
                "docs/deploying.md#deploy-to-wildfly",
                "docs/tyrus-standalone.md",
                "docs/protocol.md#close-codes",
                "SECURITY.md#reporting-a-vulnerability",
                "docs/checks.md");
    }

    @Test
    void anchorWhenHeadingHasPunctuationThenSlugIsGitHubs() {
        assertThat(anchors(List.of("## The example's own keys", "## Why Nimbus JOSE+JWT", "### `wsguard.*` keys",
                "## Open (tracked in issues)", "## Proven", "## Proven", "```", "# not a heading", "```")))
                .containsExactly("the-examples-own-keys", "why-nimbus-josejwt", "wsguard-keys",
                        "open-tracked-in-issues", "proven", "proven-1");
    }

    private static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md"), Path.of("SECURITY.md"),
                Path.of("CHANGELOG.md"), Path.of("examples", "chat", "README.md"), Path.of("server-config", "README.md")));
        try (Stream<Path> files = Files.list(Path.of("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    /** Link targets outside fenced code and code spans, without web and mail addresses. */
    private static List<String> links(Path doc) throws IOException {
        List<String> targets = new ArrayList<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(doc)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher m = LINK.matcher(CODE_SPAN.matcher(line).replaceAll(""));
            while (m.find()) {
                String target = m.group(1);
                if (!target.matches("(?i)(https?|mailto):.*")) {
                    targets.add(target);
                }
            }
        }
        return targets;
    }

    private static String problem(Path doc, String target) throws IOException {
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path resolved = file.isEmpty() ? doc : doc.resolveSibling(file).normalize();
        if (!Files.exists(resolved)) {
            return "no such file";
        }
        if (hash < 0) {
            return null;
        }
        if (!resolved.toString().endsWith(".md")) {
            return "fragment on a file that is not Markdown";
        }
        String fragment = target.substring(hash + 1);
        return anchors(Files.readAllLines(resolved)).contains(fragment) ? null : "no such heading";
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
    static List<String> anchors(List<String> lines) {
        List<String> anchors = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : lines) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced || !line.matches("#{1,6} .*")) {
                continue;
            }
            String text = line.replaceFirst("^#+ ", "").strip().toLowerCase(java.util.Locale.ROOT);
            String slug = text.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
            int n = seen.merge(slug, 1, Integer::sum) - 1;
            anchors.add(n == 0 ? slug : slug + "-" + n);
        }
        return anchors;
    }
}
