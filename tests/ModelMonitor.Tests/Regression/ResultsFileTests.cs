using System.Text;
using System.Text.Json;
using ModelMonitor.Regression;

namespace ModelMonitor.Tests.Regression;

public sealed class ResultsFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("monitor-results-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static CaseResult Result(int i, ModelSide side, CaseStatus status) =>
        new($"t{i}", side, side == ModelSide.Baseline ? "fake:old" : "fake:new", status,
            status == CaseStatus.Error ? null : $"answer {i}: \"quoted\", naïve, tab\t, line\nbreak, <html> & 🚀",
            41.5 + i, 100 + i, 7, TokensEstimated: i % 2 == 0, CostUsd: i % 3 == 0 ? null : 0.000123m * i, Attempts: 1 + i % 2,
            Error: status == CaseStatus.Error ? "gave up after 3 attempts: 503" : null,
            status == CaseStatus.Error ? [] : [new AssertionResult("contains", status == CaseStatus.Passed, null, "does not contain \"x\""),
                new AssertionResult("similar", true, 0.8125, "similarity 0.81 ≥ 0.75")],
            new DateTimeOffset(2026, 12, 3, 14, 0, i % 60, TimeSpan.Zero));

    private static ResultsDocument Document(string? description, bool withReport)
    {
        List<CaseResult> results = [];
        List<CaseInfo> cases = [];
        for (var i = 1; i <= 120; i++) // over 64 KB of results: the writer hands them to the file in parts
        {
            cases.Add(new CaseInfo($"t{i}", i == 3 ? "refunds" : null, Critical: i == 2));
            results.Add(Result(i, ModelSide.Baseline, CaseStatus.Passed));
            results.Add(Result(i, ModelSide.Candidate, i % 7 == 0 ? CaseStatus.Failed : i % 11 == 0 ? CaseStatus.Error : CaseStatus.Passed));
        }
        var report = withReport
            ? VerdictCalculator.Compute(new VerdictInput(cases, results, "fake:old", "fake:new") { BaselinePrice = new ModelPrice(2, 8) }, new VerdictOptions())
            : null;
        return new ResultsDocument(ResultsDocument.CurrentVersion, "/suites/support.yaml", new string('a', 64), description, "fake:old", "fake:new",
            new DateTimeOffset(2026, 12, 3, 15, 4, 5, 678, TimeSpan.Zero), RunStop.BudgetExhausted, 0.0421m, results, report);
    }

    [Theory]
    [InlineData("support answers", true)]
    [InlineData(null, false)]
    public async Task TheFileIsTheSerializersDocumentWhetherOrNotResultsWereSerializedAsTheyArrived(string? description, bool withReport)
    {
        var document = Document(description, withReport);
        var expected = JsonSerializer.Serialize(document, RegressionJson.Default.ResultsDocument);
        // Results of an earlier run (resumed) are not handed to OnResult: the first few are serialized at the end.
        var serialized = new SerializedResults();
        foreach (var result in document.Results.Skip(5))
            await serialized.AddAsync(result, default);

        var path = Path.Combine(_folder, "results.json");
        await ResultsFile.WriteAsync(path, document, default, serialized);
        var withSerialized = await File.ReadAllTextAsync(path);
        await ResultsFile.WriteAsync(path, document, default);
        var without = await File.ReadAllTextAsync(path);

        Assert.Equal(expected, withSerialized);
        Assert.Equal(expected, without);
        var (read, problem) = await ResultsFile.TryReadAsync(path, default);
        Assert.Null(problem);
        Assert.Equal(document.Results, read!.Results, (a, b) => a.Key == b.Key && a.Output == b.Output && a.CostUsd == b.CostUsd
            && a.Assertions.SequenceEqual(b.Assertions));
        Assert.Equal(withReport, read.Report is not null);
        Assert.False(File.Exists(path + ".tmp"));
        Assert.Contains("\"stop\": \"budget-exhausted\"", without, StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetByteCount(expected), new FileInfo(path).Length);
    }
}
