using System.Globalization;
using Microsoft.Extensions.Options;
using ModelMonitor.Regression;

namespace ModelMonitor.Cli;

/// `monitor eval`: runs a suite on a baseline and a candidate model without a database, prints the
/// comparison and exits 0 when the candidate is ready. With --output, results go to a JSON file, and a
/// second run with the same suite and models resumes from it (cases that gave up are tried again).
internal static class EvalVerb
{
    public static readonly HashSet<string> Flags = ["--no-progress"];

    public static readonly HashSet<string> Options =
        ["--suite", "--baseline", "--candidate", "--concurrency", "--output", "--budget", "--monthly-input-tokens", "--monthly-output-tokens"];

    public const string Usage =
        "eval --suite FILE --baseline ENDPOINT:MODEL --candidate ENDPOINT:MODEL [--concurrency N] [--output results.json] [--budget USD] [--monthly-input-tokens N --monthly-output-tokens N] [--no-progress]";

    public static async Task<int> RunAsync(VerbContext context)
    {
        var args = context.Arguments;
        var suitePath = args.Require("--suite");
        var baseline = Model(args, "--baseline");
        var candidate = Model(args, "--candidate");
        var services = context.Services;
        var options = services.GetRequiredService<IOptions<RegressionOptions>>().Value;
        var concurrency = args.GetInt("--concurrency", 1, 4096) ?? options.DefaultConcurrency;
        var budget = Decimal(args, "--budget");
        var volume = Volume(args);
        var output = args.Get("--output");
        var error = Console.Error;
        var ct = context.CancellationToken;

        // The models' clients and prices (the catalog, when a database is configured) are ready by the time the suite is
        // read. A broken suite is reported without waiting for them.
        var runner = services.GetRequiredService<RegressionRunner>();
        var preparing = Task.Run(() => runner.Prepare(baseline, candidate), CancellationToken.None);

        Suite suite;
        try
        {
            suite = services.GetRequiredService<SuiteLoader>().Load(suitePath);
        }
        catch (SuiteException ex)
        {
            foreach (var problem in ex.Errors)
                await error.WriteLineAsync($"monitor eval: {problem}");
            await error.WriteLineAsync($"monitor eval: {ex.Errors.Count} problem(s) in {ex.File}; no model was called.");
            return ExitCodes.DataError;
        }

        IReadOnlyCollection<CaseResult> finished = [];
        if (output is not null)
        {
            var (previous, problem) = await ResultsFile.TryReadAsync(output, ct);
            if (problem is not null)
                await error.WriteLineAsync($"monitor eval: {output} {problem}; it will be replaced.");
            else if (previous is not null && previous.Matches(suite, baseline, candidate))
            {
                finished = previous.Results.Where(r => r.IsFinal).ToList();
                await error.WriteLineAsync($"monitor eval: resuming from {output}: {finished.Count} finished result(s) kept.");
            }
            else if (previous is not null)
                await error.WriteLineAsync($"monitor eval: {output} holds results of another suite or other models; it will be replaced.");
        }

        var time = services.GetRequiredService<TimeProvider>();
        var serialized = output is null ? null : new SerializedResults();
        var request = new RunRequest(suite, baseline, candidate)
        {
            Concurrency = concurrency,
            BudgetUsd = budget,
            Finished = finished,
            OnResult = serialized is null ? null : serialized.AddAsync,
            Progress = args.Has("--no-progress") ? null : new ConsoleProgress(error, time),
        };

        await preparing;
        RunOutcome outcome;
        try
        {
            outcome = await runner.RunAsync(request, ct);
        }
        catch (RunRefusedException ex)
        {
            await error.WriteLineAsync($"monitor eval: not run: {ex.Message}");
            return ExitCodes.Failed;
        }

        var prices = services.GetRequiredService<IModelPrices>();
        var report = VerdictCalculator.Compute(
            new VerdictInput(CaseInfo.Of(suite), outcome.Results, baseline.ToString(), candidate.ToString())
            {
                BaselinePrice = prices.Find(baseline),
                CandidatePrice = prices.Find(candidate),
                Volume = volume,
            },
            options.Verdict);

        if (output is not null)
        {
            var document = new ResultsDocument(ResultsDocument.CurrentVersion, suite.Path, suite.Sha256, suite.Description,
                baseline.ToString(), candidate.ToString(), time.GetUtcNow(), outcome.Stop, outcome.SpentUsd, outcome.Results, report);
            // Written even when cancelled: that is what a later run resumes from.
            await ResultsFile.WriteAsync(output, document, CancellationToken.None, serialized);
        }

        SummaryTable.Write(context.Out, suite, report, outcome, budget, output);
        if (outcome.Stop != RunStop.Completed)
            return ExitCodes.Failed;
        return report.Verdict == Readiness.Ready ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static ModelReference Model(CliArguments args, string name)
    {
        var raw = args.Require(name);
        return ModelReference.TryParse(raw, out var model) ? model : throw new CliUsageException($"{name} must be endpoint:model (e.g. openai:gpt-4o-2024-08-06), not '{raw}'.");
    }

    private static decimal? Decimal(CliArguments args, string name)
    {
        if (args.Get(name) is not { } raw)
            return null;
        return decimal.TryParse(raw, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new CliUsageException($"{name} must be a non-negative amount in US dollars, not '{raw}'.");
    }

    private static MonthlyVolume? Volume(CliArguments args)
    {
        var input = args.Get("--monthly-input-tokens");
        var output = args.Get("--monthly-output-tokens");
        if (input is null && output is null)
            return null;
        return new MonthlyVolume(Tokens(input, "--monthly-input-tokens"), Tokens(output, "--monthly-output-tokens"));

        static long Tokens(string? raw, string name) =>
            raw is null ? 0
            : long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n
            : throw new CliUsageException($"{name} must be a whole number of tokens, not '{raw}'.");
    }

    /// Progress on stderr, at most twice a second.
    internal sealed class ConsoleProgress(TextWriter error, TimeProvider time) : IProgress<RunProgress>
    {
        private long _last;

        public void Report(RunProgress value)
        {
            var now = time.GetTimestamp();
            if (value.Done < value.Total && _last != 0 && time.GetElapsedTime(_last, now) < TimeSpan.FromMilliseconds(500))
                return;
            if (_last == 0 && value.Done < value.Total)
            {
                // The first report only starts the clock; short runs print one line at the end.
                _last = now;
                return;
            }
            _last = now;
            var eta = value.Eta is { } e && value.Done < value.Total ? $", ETA {e.TotalSeconds:0}s" : "";
            error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"eval: {value.Done}/{value.Total} case runs ({100.0 * value.Done / Math.Max(1, value.Total):0.0}%), {value.RatePerSecond:0}/s{eta}"));
        }
    }
}
