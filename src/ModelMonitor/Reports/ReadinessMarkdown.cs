using System.Text;
using ModelMonitor.Reports.Pages;

namespace ModelMonitor.Reports;

/// The readiness report as Markdown, for pasting into a pull request: the same facts as the page.
internal static class ReadinessMarkdown
{
    public const string ContentType = "text/markdown; charset=utf-8";

    public static string Write(ReadinessReport report)
    {
        var md = new StringBuilder();
        md.Append("# Readiness: ").Append(Escape(report.Team)).Append(" / ").Append(Escape(report.App)).Append('\n').Append('\n');
        md.Append("As of ").Append(Format.Date(report.AsOf)).Append('.');
        if (report.Description is not null)
            md.Append(' ').Append(Escape(report.Description));
        md.Append("\n\n");

        md.Append("## Pinned model versions\n\n");
        if (report.Pins.Count == 0)
            md.Append("This app pins no model versions.\n\n");
        else
        {
            md.Append("| Model | Platform | Status | Retirement | Days left | Successor | Verdict | Next email |\n");
            md.Append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
            foreach (var pin in report.Pins)
            {
                Row(md,
                    $"`{Code(pin.Model)}`{(pin.Version is null ? "" : " " + Escape(pin.Version))}{(pin.ResolvedModel is null ? "" : " → " + Escape(pin.ResolvedModel))}{(pin.Environment is null ? "" : " [" + Escape(pin.Environment) + "]")}",
                    Escape((pin.Platform ?? pin.Provider) + (pin.Region is null ? "" : " " + pin.Region)),
                    pin.Status,
                    Format.Retirement(pin.RetiresOn, pin.Retirement),
                    Format.DaysLeft(pin.DaysLeft),
                    pin.Successor is null ? "—" : $"`{Code(pin.Successor)}`",
                    $"**{pin.Verdict}**",
                    pin.NextEmail is { } next ? $"{Format.Date(next.On)} ({next.Why})" : pin.Waiver is not null ? "waived" : "none planned");
            }
            md.Append('\n');
            foreach (var pin in report.Pins)
                foreach (var warning in pin.Warnings)
                    md.Append("- ⚠ ").Append(Escape(pin.Model)).Append(": ").Append(Escape(warning)).Append('\n');
            if (report.Pins.Any(p => p.Warnings.Count > 0))
                md.Append('\n');
        }

        var compared = report.Pins.Where(p => p.Successor is not null || p.Pinned is not null).ToList();
        if (compared.Count > 0)
        {
            md.Append("## Pinned versus successor\n\n");
            md.Append("| Model | Context window | Input $/1M tokens | Output $/1M tokens |\n| --- | --- | --- | --- |\n");
            foreach (var pin in compared)
            {
                Row(md, $"`{Code(pin.Model)}` (pinned)", Format.Tokens(pin.Pinned?.ContextWindow), Format.Price(pin.Pinned?.InputPerMillionTokens), Format.Price(pin.Pinned?.OutputPerMillionTokens));
                if (pin.Successor is not null)
                    Row(md, $"`{Code(pin.Successor)}` (successor)", Format.Tokens(pin.SuccessorFacts?.ContextWindow),
                        Format.Price(pin.SuccessorFacts?.InputPerMillionTokens), Format.Price(pin.SuccessorFacts?.OutputPerMillionTokens));
            }
            md.Append('\n');
        }

        md.Append("## Regression runs\n\n");
        if (report.Regression is null || (report.Regression.Runs.Count == 0 && report.Regression.Verdicts.Count == 0))
            md.Append("No regression run has finished for this app's pins yet.\n\n");
        else if (report.Regression.Runs.Count == 0)
        {
            md.Append("| Pinned model | Verdict | Decided |\n| --- | --- | --- |\n");
            foreach (var v in report.Regression.Verdicts)
                Row(md, $"`{Code(v.Model)}`", $"**{v.Verdict}**", Format.Date(v.DecidedAt));
            md.Append('\n');
        }
        foreach (var run in report.Regression?.Runs ?? [])
        {
            md.Append("### `").Append(Code(run.PinnedModel)).Append("` → `").Append(Code(run.CandidateModel)).Append("` (suite ").Append(Escape(run.Suite)).Append(')');
            md.Append(run.Recorded ? " — RECORDED results, not a live run\n\n" : "\n\n");
            md.Append("Verdict: **").Append(run.Verdict ?? "none").Append("**. ").Append(Escape(run.Recommendation)).Append("\n\n");
            if (run.Report is not { } r)
                continue;
            md.Append("| | Baseline `").Append(Code(r.Baseline.Model)).Append("` | Candidate `").Append(Code(r.Candidate.Model)).Append("` |\n| --- | --- | --- |\n");
            Row(md, "Pass rate", $"{r.Baseline.PassRate:0.#%} ({r.Baseline.Passed}/{r.Baseline.Cases})", $"{r.Candidate.PassRate:0.#%} ({r.Candidate.Passed}/{r.Candidate.Cases})");
            Row(md, "Latency p50", Ms(r.Baseline.LatencyP50Ms), Ms(r.Candidate.LatencyP50Ms));
            Row(md, "Cost per case", Usd(r.Baseline.CostPerCaseUsd), Usd(r.Candidate.CostPerCaseUsd));
            md.Append('\n').Append("Significance: ").Append(Escape(r.Significance.Note)).Append(".\n\n");
            foreach (var c in r.Regressions)
                md.Append("- regressed: `").Append(Code(c.CaseId)).Append('`').Append(c.Critical ? " (critical)" : "").Append(": ")
                  .Append(Escape(string.Join("; ", c.FailedAssertions))).Append('\n');
            if (r.Regressions.Count > 0)
                md.Append('\n');
        }

        if (report.Waivers.Count > 0)
        {
            md.Append("## Waivers\n\n| Model | Until | Reason |\n| --- | --- | --- |\n");
            foreach (var w in report.Waivers)
                Row(md, $"`{Code(w.Model)}`{(w.Version is null ? "" : " " + Escape(w.Version))}", Format.Date(w.Until) + (w.Until < report.AsOf ? " (expired)" : ""), Escape(w.Reason));
            md.Append('\n');
        }
        return md.ToString();
    }

    private static string Ms(double? ms) => ms is { } v ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{v:0} ms") : "—";

    private static string Usd(decimal? usd) => usd is { } v ? "$" + v.ToString(v < 1 ? "0.0000##" : "0.00", System.Globalization.CultureInfo.InvariantCulture) : "—";

    private static void Row(StringBuilder md, params string[] cells) =>
        md.Append("| ").AppendJoin(" | ", cells).Append(" |\n");

    // Text from teams and pages: inert in Markdown (no HTML, links, emphasis or table breaks), on one line.
    public static string Escape(string text)
    {
        var output = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '\r' or '\n')
                output.Append(' ');
            else
            {
                if (c is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '|' or '#' or '!' or '&')
                    output.Append('\\');
                output.Append(c);
            }
        }
        return output.ToString();
    }

    // Inside a code span only the backtick and the table's pipe matter.
    private static string Code(string text) => text.Replace("`", "'", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
