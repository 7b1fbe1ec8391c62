using System.Globalization;
using System.Text.Json.Serialization;

namespace ModelMonitor.Regression;

[JsonConverter(typeof(JsonStringEnumConverter<Readiness>))]
public enum Readiness
{
    [JsonStringEnumMemberName("ready")] Ready,
    [JsonStringEnumMemberName("needs-review")] NeedsReview,
    [JsonStringEnumMemberName("not-ready")] NotReady,
    [JsonStringEnumMemberName("unknown")] Unknown,
}

/// The app's monthly token volume on its current (baseline) model, for the cost projection.
public sealed record MonthlyVolume(long InputTokens, long OutputTokens);

public sealed record CaseInfo(string Id, string? Description, bool Critical)
{
    public static IReadOnlyList<CaseInfo> Of(Suite suite) => suite.Cases.Select(c => new CaseInfo(c.Id, c.Description, c.Critical)).ToList();
}

public sealed record VerdictInput(IReadOnlyList<CaseInfo> Cases, IReadOnlyList<CaseResult> Results, string BaselineModel, string CandidateModel)
{
    public ModelPrice? BaselinePrice { get; init; }
    public ModelPrice? CandidatePrice { get; init; }
    public MonthlyVolume? Volume { get; init; }
}

public sealed record ModelSummary(
    string Model,
    int Cases,
    int Passed,
    int Failed,
    int Errors,
    double PassRate,
    double? LatencyP50Ms,
    double? LatencyP95Ms,
    long InputTokens,
    long OutputTokens,
    decimal? CostUsd,
    decimal? CostPerCaseUsd,
    decimal? MonthlyCostUsd);

public sealed record RegressedCase(string CaseId, string? Description, bool Critical, string? BaselineOutput, string? CandidateOutput, IReadOnlyList<string> FailedAssertions);

public sealed record Significance(string Test, int BaselineOnlyPasses, int CandidateOnlyPasses, double? PValue, bool Significant, string Note);

/// Change in median latency, candidate − baseline, with a 95 % percentile-bootstrap interval over paired cases.
public sealed record LatencyChange(double MedianDifferenceMs, double CiLowMs, double CiHighMs, double? RelativeChange);

public sealed record RegressionReport(
    Readiness Verdict,
    bool UpgradeRecommended,
    IReadOnlyList<string> Reasons,
    int Cases,
    int ComparedCases,
    ModelSummary Baseline,
    ModelSummary Candidate,
    IReadOnlyList<RegressedCase> Regressions,
    int Improvements,
    Significance Significance,
    LatencyChange? Latency,
    double? CostChange);

/// Turns the paired results of a run into the readiness verdict.
/// - ready: no significant quality loss and no critical case regressed (and few enough errors);
/// - not-ready: a critical case regressed, or the pass rate fell significantly (McNemar, p below Alpha),
///   or the candidate gave up on at least MaxCandidateErrorShare of its cases;
/// - needs-review: a suite too small for significance whose candidate lost cases, or any candidate
///   errors, or a pass-rate drop that is not significant but not nothing either;
/// - unknown: nothing to compare.
/// upgradeRecommended: ready, the candidate's pass rate at least the baseline's, and median latency or
/// cost per case better by at least UpgradeImprovementPercent.
public static class VerdictCalculator
{
    public static RegressionReport Compute(VerdictInput input, VerdictOptions options)
    {
        var (cases, results, volume) = (input.Cases, input.Results, input.Volume);
        var baseline = results.Where(r => r.Side == ModelSide.Baseline).ToDictionary(r => r.CaseId, StringComparer.Ordinal);
        var candidate = results.Where(r => r.Side == ModelSide.Candidate).ToDictionary(r => r.CaseId, StringComparer.Ordinal);

        // Compared: both sides decided (passed or failed). Errors say nothing about quality.
        List<(CaseInfo Case, CaseResult B, CaseResult C)> pairs = [];
        foreach (var c in cases)
            if (baseline.TryGetValue(c.Id, out var b) && candidate.TryGetValue(c.Id, out var k) && b.Status != CaseStatus.Error && k.Status != CaseStatus.Error)
                pairs.Add((c, b, k));

        var baseSummary = Summarize(input.BaselineModel, baseline.Values, input.BaselinePrice, volume, 1, 1);
        // The candidate's monthly volume: the baseline's, scaled by how many tokens it used on the same cases.
        var inRatio = Ratio(candidate.Values.Sum(r => r.InputTokens), baseline.Values.Sum(r => r.InputTokens));
        var outRatio = Ratio(candidate.Values.Sum(r => r.OutputTokens), baseline.Values.Sum(r => r.OutputTokens));
        var candSummary = Summarize(input.CandidateModel, candidate.Values, input.CandidatePrice, volume, inRatio, outRatio);

        var regressions = pairs.Where(p => p.B.Status == CaseStatus.Passed && p.C.Status == CaseStatus.Failed)
            .Select(p => new RegressedCase(p.Case.Id, p.Case.Description, p.Case.Critical, p.B.Output, p.C.Output,
                p.C.Assertions.Where(a => !a.Pass && !a.Error).Select(a => $"{a.Type}: {a.Reason}").ToList()))
            .ToList();
        var improvements = pairs.Count(p => p.B.Status == CaseStatus.Failed && p.C.Status == CaseStatus.Passed);

        Significance significance;
        if (pairs.Count < options.MinCasesForSignificance)
            significance = new Significance("mcnemar-exact", regressions.Count, improvements, null, false,
                $"too few cases for significance ({pairs.Count} compared, at least {options.MinCasesForSignificance} needed)");
        else
        {
            var p = Statistics.McNemarExact(regressions.Count, improvements);
            var significant = p < options.Alpha;
            significance = new Significance("mcnemar-exact", regressions.Count, improvements, p, significant,
                string.Create(CultureInfo.InvariantCulture, $"McNemar exact test on {regressions.Count + improvements} discordant of {pairs.Count} paired cases: p = {(p >= 0.0001 ? p.ToString("0.####", CultureInfo.InvariantCulture) : p.ToString("0.##e+0", CultureInfo.InvariantCulture))}{(significant ? $" < {options.Alpha}" : "")}"));
        }

        var latency = LatencyOf(pairs.Select(p => (p.B.LatencyMs, p.C.LatencyMs)).ToList(), options);
        double? costChange = baseSummary.CostPerCaseUsd is > 0 && candSummary.CostPerCaseUsd is { } cc
            ? (double)((cc - baseSummary.CostPerCaseUsd.Value) / baseSummary.CostPerCaseUsd.Value)
            : null;

        List<string> reasons = [];
        Readiness verdict;
        var candidateErrors = candSummary.Errors;
        var errorShare = candidate.Count == 0 ? 0 : (double)candidateErrors / cases.Count;
        var criticalRegressions = regressions.Where(r => r.Critical).ToList();
        var qualityLoss = significance.PValue is not null && significance.Significant && regressions.Count > improvements;

        if (cases.Count == 0 || pairs.Count == 0)
        {
            verdict = Readiness.Unknown;
            reasons.Add(cases.Count == 0 ? "the suite has no cases" : "no case has a result on both models");
        }
        else
        {
            verdict = Readiness.Ready;
            if (criticalRegressions.Count > 0)
            {
                verdict = Readiness.NotReady;
                reasons.Add($"critical case(s) regressed: {string.Join(", ", criticalRegressions.Select(r => r.CaseId))}");
            }
            if (qualityLoss)
            {
                verdict = Readiness.NotReady;
                reasons.Add($"significant quality loss: pass rate {baseSummary.PassRate:P1} → {candSummary.PassRate:P1} ({significance.Note})");
            }
            if (errorShare >= options.MaxCandidateErrorShare && candidateErrors > 0)
            {
                verdict = Readiness.NotReady;
                reasons.Add($"the candidate failed to answer {candidateErrors} of {cases.Count} cases ({errorShare:P0}, limit {options.MaxCandidateErrorShare:P0})");
            }
            if (verdict == Readiness.Ready)
            {
                if (significance.PValue is null && regressions.Count > improvements)
                {
                    verdict = Readiness.NeedsReview;
                    reasons.Add($"{regressions.Count} case(s) regressed; {significance.Note}");
                }
                else if (significance.PValue is not null && regressions.Count > improvements && candSummary.PassRate < baseSummary.PassRate)
                {
                    verdict = Readiness.NeedsReview;
                    reasons.Add($"{regressions.Count} case(s) regressed, not significant ({significance.Note})");
                }
                if (candidateErrors > 0)
                {
                    verdict = Readiness.NeedsReview;
                    reasons.Add($"the candidate failed to answer {candidateErrors} case(s)");
                }
                if (baseSummary.Errors > 0)
                    reasons.Add($"the baseline failed to answer {baseSummary.Errors} case(s); those cases are not compared");
            }
            if (verdict == Readiness.Ready)
                reasons.Add(regressions.Count == 0 ? "no case regressed" : $"{regressions.Count} regression(s) balanced by {improvements} improvement(s)");
        }

        var threshold = options.UpgradeImprovementPercent / 100;
        var faster = latency?.RelativeChange is { } lr && -lr >= threshold;
        var cheaper = costChange is { } cr && -cr >= threshold;
        var upgrade = verdict == Readiness.Ready && candSummary.PassRate >= baseSummary.PassRate && (faster || cheaper);
        if (upgrade)
            reasons.Add($"upgrade recommended: {(faster ? $"median latency {latency!.RelativeChange:+0%;-0%}" : "")}{(faster && cheaper ? ", " : "")}{(cheaper ? $"cost per case {costChange:+0%;-0%}" : "")}");

        return new RegressionReport(verdict, upgrade, reasons, cases.Count, pairs.Count, baseSummary, candSummary, regressions, improvements, significance, latency, costChange);
    }

    private static decimal Ratio(long part, long whole) => whole > 0 ? (decimal)part / whole : 1;

    private static ModelSummary Summarize(string model, IEnumerable<CaseResult> source, ModelPrice? price, MonthlyVolume? volume, decimal inputRatio, decimal outputRatio)
    {
        var results = source.ToList();
        var passed = results.Count(r => r.Status == CaseStatus.Passed);
        var failed = results.Count(r => r.Status == CaseStatus.Failed);
        var errors = results.Count(r => r.Status == CaseStatus.Error);
        var answered = results.Where(r => r.Output is not null).ToList();
        var latencies = answered.Select(r => r.LatencyMs).Order().ToList();
        var priced = answered.All(r => r.CostUsd is not null) && answered.Count > 0;
        decimal? cost = priced ? answered.Sum(r => r.CostUsd!.Value) : null;
        decimal? perCase = priced ? cost / answered.Count : null;
        decimal? monthly = price is not null && volume is not null
            ? price.Cost((long)(volume.InputTokens * inputRatio), (long)(volume.OutputTokens * outputRatio))
            : null;
        return new ModelSummary(model, results.Count, passed, failed, errors,
            results.Count == 0 ? 0 : (double)passed / results.Count,
            latencies.Count == 0 ? null : Statistics.Percentile(latencies, 0.5),
            latencies.Count == 0 ? null : Statistics.Percentile(latencies, 0.95),
            answered.Sum(r => r.InputTokens), answered.Sum(r => r.OutputTokens), cost, perCase, monthly);
    }

    private static LatencyChange? LatencyOf(List<(double Baseline, double Candidate)> pairs, VerdictOptions options)
    {
        if (pairs.Count == 0)
            return null;
        var b = pairs.Select(p => p.Baseline).Order().ToList();
        var c = pairs.Select(p => p.Candidate).Order().ToList();
        var diff = Statistics.Percentile(c, 0.5) - Statistics.Percentile(b, 0.5);
        var (low, high) = Statistics.BootstrapMedianDifference(pairs, options.BootstrapResamples, 0.95);
        var baseMedian = Statistics.Percentile(b, 0.5);
        return new LatencyChange(diff, low, high, baseMedian > 0 ? diff / baseMedian : null);
    }
}
