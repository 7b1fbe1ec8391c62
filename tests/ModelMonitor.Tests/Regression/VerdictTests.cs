using ModelMonitor.Regression;

namespace ModelMonitor.Tests.Regression;

public sealed class VerdictTests
{
    private static readonly VerdictOptions Options = new();

    private static CaseResult Result(string id, ModelSide side, CaseStatus status, double latency = 100, long input = 100, long output = 50, decimal? cost = 0.001m) =>
        new(id, side, side == ModelSide.Baseline ? "fake:old" : "fake:new", status, status == CaseStatus.Error ? null : $"{side} answer {id}",
            latency, input, output, false, cost, 1, status == CaseStatus.Error ? "gave up" : null, [], DateTimeOffset.UnixEpoch);

    /// n cases; the first `regressed` fail on the candidate only, the next `improved` pass on the candidate only.
    private static RegressionReport Verdict(int n, int regressed = 0, int improved = 0, int candidateErrors = 0, double candidateLatency = 100,
        decimal candidateCost = 0.001m, IEnumerable<int>? critical = null, MonthlyVolume? volume = null)
    {
        var criticalSet = (critical ?? []).ToHashSet();
        List<CaseInfo> cases = [];
        List<CaseResult> results = [];
        for (var i = 0; i < n; i++)
        {
            var id = $"t{i + 1}";
            cases.Add(new CaseInfo(id, null, criticalSet.Contains(i)));
            var baselinePasses = i >= regressed + improved || i < regressed;
            var candidateStatus = i < regressed ? CaseStatus.Failed
                : i < regressed + improved ? CaseStatus.Passed
                : i < regressed + improved + candidateErrors ? CaseStatus.Error
                : CaseStatus.Passed;
            results.Add(Result(id, ModelSide.Baseline, baselinePasses ? CaseStatus.Passed : CaseStatus.Failed));
            results.Add(Result(id, ModelSide.Candidate, candidateStatus, candidateLatency, cost: candidateCost));
        }
        return VerdictCalculator.Compute(new VerdictInput(cases, results, "fake:old", "fake:new")
        {
            BaselinePrice = new ModelPrice(2, 8),
            CandidatePrice = new ModelPrice(1, 4),
            Volume = volume,
        }, Options);
    }

    [Fact]
    public void NoRegressionIsReady()
    {
        var report = Verdict(50);

        Assert.Equal(Readiness.Ready, report.Verdict);
        Assert.False(report.UpgradeRecommended);
        Assert.Equal(1.0, report.Candidate.PassRate);
        Assert.Equal(1.0, report.Significance.PValue);
    }

    [Fact]
    public void ARegressedCriticalCaseIsNotReadyEvenAlone()
    {
        var report = Verdict(100, regressed: 1, critical: [0]);

        Assert.Equal(Readiness.NotReady, report.Verdict);
        Assert.True(Assert.Single(report.Regressions).Critical);
    }

    [Fact]
    public void SignificantQualityLossIsNotReady()
    {
        var report = Verdict(100, regressed: 8);

        Assert.Equal(0.0078125, report.Significance.PValue!.Value, 9);
        Assert.Equal(Readiness.NotReady, report.Verdict);
        Assert.Equal(8, report.Regressions.Count);
        Assert.Equal("Baseline answer t1", report.Regressions[0].BaselineOutput);
        Assert.Equal("Candidate answer t1", report.Regressions[0].CandidateOutput);
    }

    [Fact]
    public void RegressionsThatAreNotSignificantNeedReview()
    {
        var report = Verdict(100, regressed: 3, improved: 1);

        Assert.False(report.Significance.Significant);
        Assert.Equal(Readiness.NeedsReview, report.Verdict);
    }

    [Fact]
    public void SmallSuitesSaySoInsteadOfComputingSignificance()
    {
        var report = Verdict(10, regressed: 4);

        Assert.Null(report.Significance.PValue);
        Assert.Contains("too few cases for significance", report.Significance.Note, StringComparison.Ordinal);
        Assert.Equal(Readiness.NeedsReview, report.Verdict);
    }

    [Fact]
    public void CandidateErrorsAtTheLimitShareAreNotReady()
    {
        var report = Verdict(50, candidateErrors: 5);

        Assert.Equal(5, report.Candidate.Errors);
        Assert.Equal(45, report.ComparedCases);
        Assert.Equal(Readiness.NotReady, report.Verdict);
    }

    [Fact]
    public void AFewCandidateErrorsNeedReview() =>
        Assert.Equal(Readiness.NeedsReview, Verdict(50, candidateErrors: 1).Verdict);

    [Fact]
    public void NothingToCompareIsUnknown()
    {
        var report = VerdictCalculator.Compute(new VerdictInput([new CaseInfo("t1", null, false)], [], "a:x", "a:y"), Options);

        Assert.Equal(Readiness.Unknown, report.Verdict);
    }

    [Fact]
    public void FifteenPercentFasterWithQualityHeldRecommendsTheUpgrade()
    {
        var report = Verdict(40, candidateLatency: 85, candidateCost: 0.001m);

        Assert.Equal(-0.15, report.Latency!.RelativeChange!.Value, 9);
        Assert.True(report.UpgradeRecommended);
    }

    [Fact]
    public void FourteenPercentFasterDoesNotRecommendTheUpgrade() =>
        Assert.False(Verdict(40, candidateLatency: 86, candidateCost: 0.001m).UpgradeRecommended);

    [Fact]
    public void FifteenPercentCheaperRecommendsTheUpgrade()
    {
        var report = Verdict(40, candidateCost: 0.00085m);

        Assert.Equal(-0.15, report.CostChange!.Value, 9);
        Assert.True(report.UpgradeRecommended);
    }

    [Fact]
    public void FasterButWorseIsNotRecommended() =>
        Assert.False(Verdict(100, regressed: 3, improved: 1, candidateLatency: 50).UpgradeRecommended);

    [Fact]
    public void MonthlyCostAppliesEachModelsPricesToTheAppsVolume()
    {
        var report = Verdict(20, volume: new MonthlyVolume(10_000_000, 2_000_000));

        // Baseline: 10M × $2 + 2M × $8 per million = $36; the candidate used as many tokens: 10M × $1 + 2M × $4 = $18.
        Assert.Equal(36m, report.Baseline.MonthlyCostUsd);
        Assert.Equal(18m, report.Candidate.MonthlyCostUsd);
        Assert.Equal(0.001m, report.Baseline.CostPerCaseUsd);
    }
}
