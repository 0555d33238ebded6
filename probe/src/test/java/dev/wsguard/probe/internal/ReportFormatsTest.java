package dev.wsguard.probe.internal;

import dev.wsguard.probe.Attack;
import dev.wsguard.probe.Report;
import dev.wsguard.probe.Result;
import dev.wsguard.probe.Verdict;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What an endpoint sends back lands in the reports as text, never as markup or broken JSON. */
class ReportFormatsTest {

    private static final String HOSTILE = "answered: <script>alert(\"x\")</script> & \u2028 'quoted'\n";

    private final Report report = new Report(URI.create("ws://127.0.0.1:1/x"), Instant.EPOCH, Duration.ofSeconds(1),
            List.of(new Result(new Attack("control.handshake", "control", "t", "101"), Verdict.PASS, "101",
                    Duration.ZERO),
                    new Result(new Attack("inject.x", "inject", "<b>title</b>", "refused"), Verdict.FINDING, HOSTILE,
                            Duration.ofMillis(7))));

    @Test
    void htmlWhenObservationHasMarkupThenEscaped() {
        String html = report.toHtml();
        assertThat(html).doesNotContain("<script", "<b>")
                .contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;", "&#39;quoted&#39;",
                        "&lt;b&gt;title&lt;/b&gt;", "<tr class=\"FINDING\">");
    }

    @Test
    void jsonWhenObservationHasQuotesAndControlsThenEscaped() {
        String json = report.toJson();
        assertThat(json).contains("\"observed\": \"answered: \\u003cscript\\u003ealert(\\\"x\\\")\\u003c/script"
                + "\\u003e \\u0026 \\u2028 'quoted'\\n\"", "\"finding\": 1", "\"auditable\": true",
                "\"tookMillis\": 7");
    }

    @Test
    void tableWhenFindingThenSummaryCountsIt() {
        assertThat(report.toTable()).contains("inject.x", "FINDING", "1 pass, 1 finding(s), 0 not run");
    }
}
