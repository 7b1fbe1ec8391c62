using System.Globalization;

namespace ModelMonitor.Regression;

/// The human summary of a run (what `monitor eval` prints).
public static class SummaryTable
{
    private const int MaxRegressionsShown = 10;

    /// <param name="everyResultAt">where every result can be read (a results file, an API path), or null when nowhere.</param>
    public static void Write(TextWriter o, Suite suite, RegressionReport r, RunOutcome outcome, decimal? budget, string? everyResultAt)
    {
        var ci = CultureInfo.InvariantCulture;
        o.WriteLine(string.Create(ci, $"Suite       {suite.Path} ({suite.Cases.Count} cases){(suite.Description is null ? "" : $" — {suite.Description}")}"));
        var width = Math.Max(24, Math.Max(r.Baseline.Model.Length, r.Candidate.Model.Length) + 2);
        Row(o, width, "", "baseline", "candidate");
        Row(o, width, "model", r.Baseline.Model, r.Candidate.Model);
        Row(o, width, "pass rate", Rate(r.Baseline), Rate(r.Candidate));
        Row(o, width, "failed / errors", $"{r.Baseline.Failed} / {r.Baseline.Errors}", $"{r.Candidate.Failed} / {r.Candidate.Errors}");
        Row(o, width, "latency p50 / p95", Latency(r.Baseline), Latency(r.Candidate));
        Row(o, width, "tokens in / out", $"{r.Baseline.InputTokens:N0} / {r.Baseline.OutputTokens:N0}", $"{r.Candidate.InputTokens:N0} / {r.Candidate.OutputTokens:N0}");
        Row(o, width, "cost per case", Money(r.Baseline.CostPerCaseUsd), Money(r.Candidate.CostPerCaseUsd));
        Row(o, width, "cost this run", Money(r.Baseline.CostUsd), Money(r.Candidate.CostUsd));
        if (r.Baseline.MonthlyCostUsd is not null || r.Candidate.MonthlyCostUsd is not null)
            Row(o, width, "cost per month", Money(r.Baseline.MonthlyCostUsd), Money(r.Candidate.MonthlyCostUsd));
        o.WriteLine();

        var critical = r.Regressions.Count(g => g.Critical);
        o.WriteLine(string.Create(ci, $"Regressions {r.Regressions.Count}{(critical > 0 ? $" ({critical} critical)" : "")}; improvements {r.Improvements}; compared {r.ComparedCases} of {r.Cases} cases"));
        foreach (var g in r.Regressions.OrderByDescending(g => g.Critical).Take(MaxRegressionsShown))
        {
            o.WriteLine($"  {g.CaseId}{(g.Critical ? " [critical]" : "")}{(g.Description is null ? "" : $" {g.Description}")}");
            o.WriteLine($"    baseline:  {Clip(g.BaselineOutput)}");
            o.WriteLine($"    candidate: {Clip(g.CandidateOutput)}");
            foreach (var failed in g.FailedAssertions.Take(3))
                o.WriteLine($"    failed:    {Clip(failed)}");
        }
        if (r.Regressions.Count > MaxRegressionsShown)
            o.WriteLine($"  … and {r.Regressions.Count - MaxRegressionsShown} more ({(everyResultAt is null ? "--output FILE keeps them all" : $"all in {everyResultAt}")})");

        o.WriteLine(r.Significance.PValue is { } p
            ? string.Create(ci, $"Significance McNemar exact p = {Format(p)} ({r.Significance.BaselineOnlyPasses} baseline-only vs {r.Significance.CandidateOnlyPasses} candidate-only passes)")
            : $"Significance {r.Significance.Note}");
        if (r.Latency is { } l)
            o.WriteLine(string.Create(ci, $"Latency     median change {l.MedianDifferenceMs:+0.0;-0.0;0.0} ms{(l.RelativeChange is { } rel ? $" ({rel:+0.0%;-0.0%;0.0%})" : "")}, 95% bootstrap CI [{l.CiLowMs:+0.0;-0.0;0.0}, {l.CiHighMs:+0.0;-0.0;0.0}] ms"));
        if (r.CostChange is { } c)
            o.WriteLine(string.Create(ci, $"Cost        per case {c:+0.0%;-0.0%;0.0%}"));
        var spent = string.Create(ci, $"Spent       ${outcome.SpentUsd:0.######}{(budget is { } b ? $" of ${b:0.####} budget" : "")}; {outcome.Elapsed.TotalSeconds:0.0} s");
        o.WriteLine(spent);
        if (outcome.Stop == RunStop.BudgetExhausted)
            o.WriteLine($"Stopped     budget reached: {outcome.NotRun} case run(s) not started; the verdict covers what ran");
        else if (outcome.Stop == RunStop.Cancelled)
            o.WriteLine($"Stopped     cancelled: {outcome.NotRun} case run(s) not finished; run again with the same --output to resume");

        var verdict = r.Verdict switch
        {
            Readiness.Ready => r.UpgradeRecommended ? "READY (upgrade recommended)" : "READY",
            Readiness.NeedsReview => "NEEDS REVIEW",
            Readiness.NotReady => "NOT READY",
            _ => "UNKNOWN",
        };
        o.WriteLine($"Verdict     {verdict}");
        foreach (var reason in r.Reasons)
            o.WriteLine($"  - {reason}");
    }

    private static void Row(TextWriter o, int width, string label, string a, string b) =>
        o.WriteLine($"{label,-20}{a.PadRight(width)}{b}");

    private static string Rate(ModelSummary s) =>
        string.Create(CultureInfo.InvariantCulture, $"{s.PassRate:0.0%} ({s.Passed}/{s.Cases})");

    private static string Latency(ModelSummary s) =>
        s.LatencyP50Ms is { } p50 ? string.Create(CultureInfo.InvariantCulture, $"{p50:0} / {s.LatencyP95Ms:0} ms") : "-";

    private static string Money(decimal? usd) =>
        usd is { } v ? string.Create(CultureInfo.InvariantCulture, $"${v:0.######}") : "(no price)";

    private static string Format(double p) =>
        p >= 0.0001 ? p.ToString("0.####", CultureInfo.InvariantCulture) : p.ToString("0.##e+0", CultureInfo.InvariantCulture);

    private static string Clip(string? text)
    {
        if (text is null)
            return "(no answer)";
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= 100 ? line : line[..100] + "…";
    }
}
