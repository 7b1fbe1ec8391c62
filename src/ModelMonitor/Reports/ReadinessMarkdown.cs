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
        if (report.Regression is null || report.Regression.Verdicts.Count == 0)
            md.Append("No regression run has recorded a verdict for this app's pins yet.\n\n");
        else
        {
            md.Append("| Pinned model | Verdict | Decided |\n| --- | --- | --- |\n");
            foreach (var v in report.Regression.Verdicts)
                Row(md, $"`{Code(v.Model)}`", $"**{v.Verdict}**", Format.Date(v.DecidedAt));
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
