package dev.wsguard.probe;

import dev.wsguard.probe.internal.ReportFormats;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The results of one run, in catalogue order, with its three renderings: a text table, JSON and a self-contained
 * HTML page. Observations never carry a token. Immutable and thread-safe.
 *
 * @param target  the URL audited
 * @param started when the run started
 * @param took    how long it ran
 * @param results one per attack run (controls included)
 */
public record Report(URI target, Instant started, Duration took, List<Result> results) {

    public Report {
        results = List.copyOf(results);
    }

    /** The results whose verdict is {@link Verdict#FINDING}. */
    public List<Result> findings() {
        return results.stream().filter(r -> r.verdict() == Verdict.FINDING).toList();
    }

    public boolean hasFindings() {
        return !findings().isEmpty();
    }

    /** False when a control failed: then no refusal in this report proves anything. */
    public boolean auditable() {
        return results.stream().filter(r -> r.attack().category().equals("control"))
                .allMatch(r -> r.verdict() == Verdict.PASS);
    }

    /** How many results have {@code verdict}. */
    public long count(Verdict verdict) {
        return results.stream().filter(r -> r.verdict() == verdict).count();
    }

    /** A fixed-width table: attack, expected, observed, verdict; then a summary line. */
    public String toTable() {
        return ReportFormats.table(this);
    }

    /** The report as one JSON object. */
    public String toJson() {
        return ReportFormats.json(this);
    }

    /** The report as an HTML page with its style inline, no script and nothing fetched. */
    public String toHtml() {
        return ReportFormats.html(this);
    }
}
