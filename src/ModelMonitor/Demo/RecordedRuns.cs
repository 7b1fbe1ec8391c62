using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ModelMonitor.Regression;
using ModelMonitor.Regression.Storage;
using ModelMonitor.Storage;
using PinReadiness = ModelMonitor.Notifications.Readiness;

namespace ModelMonitor.Demo;

/// The demo's regression runs. No model is reachable offline, so the answers are recorded (samples/runs/*.json):
/// everything else is the real thing — the stored suite is parsed, every assertion is evaluated on the recorded
/// answers, cost comes from the recorded prices, and the verdict, its statistics and the pin's readiness are
/// computed and stored as for a live run. The run is stored with `recorded = true`, which the pages show.
internal sealed class RecordedRuns(MonitorDb db, SuiteStore suites, SuiteLoader loader, IOptions<RegressionOptions> options, TimeProvider time)
{
    public static string SuitesDirectory => Path.Combine(DemoSeeder.SamplesDirectory, "suites");

    public static string RunsDirectory => Path.Combine(DemoSeeder.SamplesDirectory, "runs");

    /// Registers the app's suites (unchanged ones are left alone) and imports its recorded run once.
    public async Task<int> SeedAsync(long appId, string app, CancellationToken cancellationToken)
    {
        var suitePath = Path.Combine(SuitesDirectory, app + ".yaml");
        if (!File.Exists(suitePath))
            return 0;
        var text = await File.ReadAllTextAsync(suitePath, cancellationToken);
        var suite = await suites.FindAsync(appId, app, cancellationToken) is { } stored && stored.Source == text
            ? stored
            : (await suites.PutAsync(appId, app, text, "yaml", cancellationToken)).Suite;

        var runPath = Path.Combine(RunsDirectory, app + ".json");
        if (!File.Exists(runPath) || await db.Set<RegressionRun>().AnyAsync(r => r.AppId == appId && r.Recorded, cancellationToken))
            return 0;
        var recording = JsonSerializer.Deserialize<Recording>(await File.ReadAllTextAsync(runPath, cancellationToken), Json)
            ?? throw new InvalidDataException($"{runPath} is empty");
        var pin = await db.Pins.AsNoTracking().SingleAsync(p => p.AppId == appId && p.Provider == recording.Pin.Provider
            && p.Model == recording.Pin.Model && p.Version == recording.Pin.Version, cancellationToken);

        var parsed = loader.Parse(text, $"{app}.yaml");
        var results = new List<CaseResult>();
        foreach (var @case in parsed.Cases)
        {
            var answers = recording.Cases.SingleOrDefault(c => c.Id == @case.Id)
                ?? throw new InvalidDataException($"{runPath} has no answers for case {@case.Id}");
            results.Add(Evaluate(@case, ModelSide.Baseline, recording.Baseline, answers.Baseline, recording.Prices.Baseline, recording.RecordedAt));
            results.Add(Evaluate(@case, ModelSide.Candidate, recording.Candidate, answers.Candidate, recording.Prices.Candidate, recording.RecordedAt));
        }

        var report = VerdictCalculator.Compute(
            new VerdictInput(CaseInfo.Of(parsed), results, recording.Baseline, recording.Candidate)
            {
                BaselinePrice = recording.Prices.Baseline,
                CandidatePrice = recording.Prices.Candidate,
                Volume = new MonthlyVolume(pin.MonthlyInputTokens ?? 0, pin.MonthlyOutputTokens ?? 0),
            },
            options.Value.Verdict);
        var verdict = RunExecutor.VerdictName(report);
        var run = new RegressionRun
        {
            AppId = appId, SuiteId = suite.Id, PinId = pin.Id, Baseline = recording.Baseline, Candidate = recording.Candidate,
            BaselineModel = pin.Model, CandidateModel = recording.CandidateModel, Trigger = "recorded", Recorded = true,
            Status = "completed", SuiteSha256 = parsed.Sha256, RequestedAt = recording.RecordedAt, StartedAt = recording.RecordedAt,
            FinishedAt = recording.RecordedAt, SpentUsd = results.Sum(r => r.CostUsd ?? 0), Verdict = verdict,
            Report = RegressionRuns.WriteReport(report),
        };
        db.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        db.AddRange(results.Select(r => new RegressionResult
        {
            RunId = run.Id, CaseId = r.CaseId, Side = RunExecutor.SideName(r.Side), Status = RunExecutor.StatusName(r.Status),
            Output = r.Output, LatencyMs = r.LatencyMs, InputTokens = r.InputTokens, OutputTokens = r.OutputTokens,
            CostUsd = r.CostUsd, Attempts = r.Attempts,
            Assertions = JsonSerializer.Serialize(r.Assertions, RegressionJson.Default.IReadOnlyListAssertionResult),
            FinishedAt = r.FinishedAt,
        }));
        await db.SaveChangesAsync(cancellationToken);
        await PinReadiness.RecordAsync(db, pin.Id, verdict, time.GetUtcNow(), cancellationToken);
        return 1;
    }

    private static CaseResult Evaluate(SuiteCase @case, ModelSide side, string model, Answer answer, ModelPrice price, DateTimeOffset at)
    {
        var cost = price.Cost(answer.InputTokens, answer.OutputTokens);
        var input = new AssertionInput(answer.Output, answer.LatencyMs, cost);
        var assertions = @case.Assertions.Select(a => AssertionEvaluator.Evaluate(a, input)).ToList();
        var status = assertions.Any(a => !a.Pass && !a.Error) ? CaseStatus.Failed
            : assertions.Any(a => a.Error) ? CaseStatus.Error
            : CaseStatus.Passed;
        return new CaseResult(@case.Id, side, model, status, answer.Output, answer.LatencyMs, answer.InputTokens, answer.OutputTokens,
            TokensEstimated: false, cost, Attempts: 1, Error: null, assertions, at);
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Recording(string Suite, PinKey Pin, string Baseline, string Candidate, string CandidateModel,
        DateTimeOffset RecordedAt, SidePrices Prices, IReadOnlyList<CaseAnswers> Cases);

    private sealed record PinKey(string Provider, string Model, string Version);

    private sealed record SidePrices(ModelPrice Baseline, ModelPrice Candidate);

    private sealed record CaseAnswers(string Id, Answer Baseline, Answer Candidate);

    private sealed record Answer(string Output, double LatencyMs, long InputTokens, long OutputTokens);
}
