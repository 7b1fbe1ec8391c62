using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ModelMonitor.Regression;
using ModelMonitor.Regression.Storage;
using ModelMonitor.Storage;

namespace ModelMonitor.Cli;

/// `monitor regress --team T --app A`: queues regression runs of an app's suites for its pins that have a
/// successor, as POST …/runs does. With --wait it executes them in this process (resuming what is stored)
/// and prints each summary table; exit codes as `eval`. `monitor run` without --team starts the service.
internal static class RegressVerb
{
    public static readonly HashSet<string> Flags = ["--wait", "--no-progress"];

    public static readonly HashSet<string> Options = ["--team", "--app", "--suite", "--pin", "--budget"];

    public const string Usage = "regress --team T --app A [--suite S] [--pin MODEL] [--budget USD] [--wait] [--no-progress]";

    public static async Task<int> RunAsync(VerbContext context)
    {
        var args = context.Arguments;
        var team = args.Require("--team");
        var app = args.Require("--app");
        var suite = args.Get("--suite");
        var pin = args.Get("--pin");
        decimal? budget = args.Get("--budget") is { } raw
            ? decimal.TryParse(raw, NumberStyles.Number, CultureInfo.InvariantCulture, out var b) && b >= 0 ? b
                : throw new CliUsageException($"--budget must be a non-negative amount in US dollars, not '{raw}'.")
            : null;
        var error = Console.Error;
        var ct = context.CancellationToken;

        List<RunQueue.Queued> queued;
        List<RunQueue.Target> targets;
        await using (var scope = context.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MonitorDb>();
            var appId = await db.Apps.Where(a => a.Name == app && a.Team!.Name == team).Select(a => (long?)a.Id).FirstOrDefaultAsync(ct);
            if (appId is null)
            {
                await error.WriteLineAsync($"monitor regress: team '{team}' has no app '{app}'.");
                return ExitCodes.Failed;
            }
            if (suite is not null && !await db.Set<RegressionSuite>().AnyAsync(s => s.AppId == appId && s.Name == suite, ct))
            {
                await error.WriteLineAsync($"monitor regress: app '{app}' has no suite '{suite}'.");
                return ExitCodes.Failed;
            }
            var queue = scope.ServiceProvider.GetRequiredService<RunQueue>();
            targets = await queue.TargetsAsync(appId.Value, suite, pin, ct);
            queued = await queue.QueueManualAsync(targets, budget, ct);
        }

        foreach (var t in targets.Where(t => !queued.Any(q => q.PinId == t.PinId && q.SuiteId == t.SuiteId)))
            await error.WriteLineAsync(t.CandidateModel is null
                ? $"monitor regress: {t.PinModel} ({t.Suite}): not queued, the catalog names no successor of {t.BaselineModel}."
                : $"monitor regress: {t.PinModel} ({t.Suite}): not queued, run {t.LiveRunId} is already queued or running.");
        if (queued.Count == 0)
        {
            await error.WriteLineAsync(targets.Count == 0 ? $"monitor regress: app '{app}' has no suite or no pin to run." : "monitor regress: nothing queued.");
            return ExitCodes.Failed;
        }
        foreach (var q in queued)
        {
            var t = targets.First(t => t.PinId == q.PinId && t.SuiteId == q.SuiteId);
            await context.Out.WriteLineAsync($"run {q.RunId}: {t.PinModel} ({t.Suite}): {t.BaselineModel} → {t.CandidateModel}: {q.Status}");
        }
        if (!args.Has("--wait"))
            return queued.All(q => q.Status == RunStatus.Queued) ? ExitCodes.Ok : ExitCodes.Failed;

        var executor = context.Services.GetRequiredService<RunExecutor>();
        var time = context.Services.GetRequiredService<TimeProvider>();
        var allReady = true;
        foreach (var q in queued.Where(q => q.Status == RunStatus.Queued))
        {
            var progress = args.Has("--no-progress") ? null : new EvalVerb.ConsoleProgress(error, time);
            var executed = await executor.ExecuteAsync(q.RunId, progress, ct);
            if (executed is null)
            {
                // Another node claimed it first; it will finish it.
                await error.WriteLineAsync($"monitor regress: run {q.RunId} is being executed by the service; see GET /api/teams/{team}/apps/{app}/runs/{q.RunId}.");
                allReady = false;
                continue;
            }
            await context.Out.WriteLineAsync();
            await context.Out.WriteLineAsync($"run {q.RunId}: {executed.Status}{(executed.Error is null ? "" : $": {executed.Error}")}");
            if (executed is { Suite: { } s, Report: { } report, Outcome: { } outcome })
                SummaryTable.Write(context.Out, s, report, outcome, budget, $"GET /api/teams/{team}/apps/{app}/runs/{q.RunId}");
            if (executed.Status == RunStatus.Queued)
                await error.WriteLineAsync($"monitor regress: interrupted; run {q.RunId} is back in the queue with its finished results and resumes from them.");
            allReady &= executed.Status == RunStatus.Completed && executed.Report?.Verdict == Readiness.Ready;
            if (ct.IsCancellationRequested)
                return ExitCodes.Failed;
        }
        return allReady ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
