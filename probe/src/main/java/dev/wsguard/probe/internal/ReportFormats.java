package dev.wsguard.probe.internal;

import dev.wsguard.probe.Report;
import dev.wsguard.probe.Result;
import dev.wsguard.probe.Verdict;

import java.util.Locale;

/** The three renderings of a report. Every string from the endpoint is escaped for the format it lands in. */
public final class ReportFormats {

    private ReportFormats() {
    }

    public static String table(Report report) {
        StringBuilder b = new StringBuilder();
        String format = "%-26s %-44s %-60s %s%n";
        b.append(String.format(Locale.ROOT, format, "ATTACK", "EXPECTED", "OBSERVED", "VERDICT"));
        for (Result r : report.results()) {
            b.append(String.format(Locale.ROOT, format, r.attack().id(), Text.clip(r.attack().expected(), 44),
                    Text.clip(r.observed(), 60), r.verdict()));
        }
        b.append(summary(report)).append(System.lineSeparator());
        return b.toString();
    }

    static String summary(Report report) {
        return String.format(Locale.ROOT, "%s: %d pass, %d finding(s), %d not run, in %.1f s%s",
                report.target(), report.count(Verdict.PASS), report.count(Verdict.FINDING),
                report.count(Verdict.NOT_RUN), report.took().toMillis() / 1000.0,
                report.auditable() ? "" : " (a control failed: the report proves nothing)");
    }

    public static String json(Report report) {
        StringBuilder b = new StringBuilder("{\n");
        b.append("  \"target\": ").append(quote(report.target().toString())).append(",\n");
        b.append("  \"started\": ").append(quote(report.started().toString())).append(",\n");
        b.append("  \"tookMillis\": ").append(report.took().toMillis()).append(",\n");
        b.append("  \"auditable\": ").append(report.auditable()).append(",\n");
        b.append("  \"summary\": {\"pass\": ").append(report.count(Verdict.PASS)).append(", \"finding\": ")
                .append(report.count(Verdict.FINDING)).append(", \"notRun\": ")
                .append(report.count(Verdict.NOT_RUN)).append("},\n");
        b.append("  \"results\": [");
        String separator = "\n";
        for (Result r : report.results()) {
            b.append(separator).append("    {\"id\": ").append(quote(r.attack().id()))
                    .append(", \"category\": ").append(quote(r.attack().category()))
                    .append(", \"title\": ").append(quote(r.attack().title()))
                    .append(", \"expected\": ").append(quote(r.attack().expected()))
                    .append(", \"observed\": ").append(quote(r.observed()))
                    .append(", \"verdict\": ").append(quote(r.verdict().name()))
                    .append(", \"tookMillis\": ").append(r.took().toMillis()).append('}');
            separator = ",\n";
        }
        return b.append("\n  ]\n}\n").toString();
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    // '<' too, so the JSON can sit inside an HTML script block without ending it.
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    public static String html(Report report) {
        StringBuilder b = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8">
                <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
                <title>wsguard probe report</title>
                <style>
                body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
                table{border-collapse:collapse;width:100%}
                th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
                th{background:#f3f3f3}
                td.v{font-weight:bold;white-space:nowrap}
                tr.FINDING td.v{color:#fff;background:#c0392b}
                tr.PASS td.v{color:#1e7e34}
                tr.NOT_RUN td.v{color:#777}
                code{font-size:12px}
                </style></head><body>
                """);
        b.append("<h1>wsguard probe report</h1>\n<p>").append(escape(summary(report))).append("</p>\n");
        b.append("<p>Started ").append(escape(report.started().toString())).append("</p>\n");
        b.append("<table><thead><tr><th>Attack</th><th>What it does</th><th>Expected</th><th>Observed</th>"
                + "<th>Verdict</th></tr></thead><tbody>\n");
        for (Result r : report.results()) {
            b.append("<tr class=\"").append(r.verdict().name()).append("\"><td><code>")
                    .append(escape(r.attack().id())).append("</code></td><td>").append(escape(r.attack().title()))
                    .append("</td><td>").append(escape(r.attack().expected())).append("</td><td>")
                    .append(escape(r.observed())).append("</td><td class=\"v\">").append(r.verdict().name())
                    .append("</td></tr>\n");
        }
        return b.append("</tbody></table>\n</body></html>\n").toString();
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
