using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ModelMonitor.Storage;
using Npgsql;
using NpgsqlTypes;
using PinReadiness = ModelMonitor.Notifications.Readiness;

namespace ModelMonitor.Regression.Storage;

/// What executing a stored run came to. Suite, Outcome and Report are null when the run did not get that far.
public sealed record ExecutedRun(long RunId, string Status, string? Error, Suite? Suite, RunOutcome? Outcome, RegressionReport? Report);

/// Claims queued runs (`FOR UPDATE SKIP LOCKED`: two nodes never take the same run) and executes them:
/// each result is stored as it finishes, an interrupted run resumes from its stored results, and the
/// verdict ends up in the run's report and in the pin's readiness. A node that stops mid-run puts the run
/// back in the queue; a node that dies stops renewing its heartbeat, and after StaleAfterSeconds another
/// node takes the run over.
public sealed partial class RunExecutor(
    IServiceScopeFactory scopes,
    NpgsqlDataSource dataSource,
    RegressionRunner runner,
    SuiteLoader loader,
    IModelPrices prices,
    IOptions<RegressionOptions> options,
    TimeProvider time,
    ILogger<RunExecutor> logger) : IDisposable
{
    // One run at a time per node from the scheduled job; other nodes take the other runs.
    private readonly SemaphoreSlim _busy = new(1, 1);

    public void Dispose() => _busy.Dispose();

    /// Claims and executes queued runs until none is left; returns how many were executed. Returns at once
    /// when this node is already busy with one.
    public async Task<int> ExecutePendingAsync(CancellationToken cancellationToken)
    {
        if (!await _busy.WaitAsync(0, cancellationToken))
            return 0;
        try
        {
            var executed = 0;
            while (!cancellationToken.IsCancellationRequested && await ClaimAsync(null, cancellationToken) is { } runId)
            {
                await ExecuteClaimedAsync(runId, null, cancellationToken);
                executed++;
            }
            return executed;
        }
        finally
        {
            _busy.Release();
        }
    }

    /// Executes one run if it can be claimed (queued, or running with a stale heartbeat); null when it cannot.
    public async Task<ExecutedRun?> ExecuteAsync(long runId, IProgress<RunProgress>? progress, CancellationToken cancellationToken) =>
        await ClaimAsync(runId, cancellationToken) is { } claimed ? await ExecuteClaimedAsync(claimed, progress, cancellationToken) : null;

    private async Task<long?> ClaimAsync(long? runId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand("""
            UPDATE regression_runs SET status = 'running', started_at = coalesce(started_at, $1), heartbeat_at = $1
            WHERE id = (
                SELECT id FROM regression_runs
                WHERE (status = 'queued' OR (status = 'running' AND heartbeat_at < $2)) AND ($3::bigint IS NULL OR id = $3)
                ORDER BY requested_at, id
                FOR UPDATE SKIP LOCKED
                LIMIT 1)
            RETURNING id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        command.Parameters.Add(new NpgsqlParameter { Value = now - TimeSpan.FromSeconds(options.Value.Runs.StaleAfterSeconds) });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)runId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        return await command.ExecuteScalarAsync(cancellationToken) is long id ? id : null;
    }

    private async Task<ExecutedRun> ExecuteClaimedAsync(long runId, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        try
        {
            return await ExecuteClaimedCoreAsync(runId, progress, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped while preparing or storing: back to the queue rather than waiting to be found stale.
            await UpdateAsync(runId, RunStatus.Queued, null, null, null, null, finished: false);
            Log.Requeued(logger, runId, 0);
            return new ExecutedRun(runId, RunStatus.Queued, null, null, null, null);
        }
    }

    private async Task<ExecutedRun> ExecuteClaimedCoreAsync(long runId, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MonitorDb>();
        var run = await db.Set<RegressionRun>().AsNoTracking().FirstAsync(r => r.Id == runId, cancellationToken);
        var row = await db.Set<RegressionSuite>().AsNoTracking().FirstAsync(s => s.Id == run.SuiteId, cancellationToken);
        var pin = run.PinId is { } pinId ? await db.Pins.AsNoTracking().FirstOrDefaultAsync(p => p.Id == pinId, cancellationToken) : null;
        Log.Starting(logger, runId, row.Name, run.Baseline ?? "?", run.Candidate ?? "?");

        Suite suite;
        try
        {
            suite = loader.Parse(row.Source, $"{row.Name}.{row.Format}");
        }
        catch (SuiteException ex)
        {
            return await FailAsync(runId, $"the suite '{row.Name}' no longer loads: {string.Join("; ", ex.Errors.Take(3))}", null);
        }
        if (!ModelReference.TryParse(run.Baseline, out var baseline) || !ModelReference.TryParse(run.Candidate, out var candidate))
            return await FailAsync(runId, run.Error ?? "the run names no endpoint for its models.", suite);

        // Results of another version of the suite file cannot be resumed: case ids may mean other prompts now.
        if (run.SuiteSha256 is { } sha && sha != suite.Sha256)
            await db.Set<RegressionResult>().Where(r => r.RunId == runId).ExecuteDeleteAsync(cancellationToken);
        await db.Set<RegressionRun>().Where(r => r.Id == runId)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.SuiteSha256, suite.Sha256), cancellationToken);
        var stored = await LoadResultsAsync(db, runId, run, cancellationToken);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var cancelledByUser = new StrongBox<bool>();
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(runId, stop, cancelledByUser, heartbeatStop.Token);
        var writer = new ResultWriter(dataSource, runId);
        RunOutcome outcome;
        try
        {
            outcome = await runner.RunAsync(new RunRequest(suite, baseline, candidate)
            {
                Concurrency = options.Value.Runs.Concurrency,
                BudgetUsd = run.BudgetUsd,
                Finished = stored.Where(r => r.IsFinal).ToList(),
                OnResult = (result, _) => writer.AddAsync(result),
                Progress = progress,
            }, stop.Token);
        }
        catch (RunRefusedException ex)
        {
            return await FailAsync(runId, ex.Message, suite);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A store failure mid-run: leave it running; the heartbeat stops and another attempt resumes it.
            Log.Crashed(logger, ex, runId);
            throw;
        }
        finally
        {
            await heartbeatStop.CancelAsync();
            await heartbeat;
            // Everything finished is stored before the run's status moves on.
            await writer.CompleteAsync();
        }

        if (outcome.Stop == RunStop.Cancelled)
        {
            if (cancelledByUser.Value)
                return new ExecutedRun(runId, RunStatus.Cancelled, null, suite, outcome, null);
            // The node is stopping: the run goes back to the queue with what it finished.
            await UpdateAsync(runId, RunStatus.Queued, null, outcome.SpentUsd, null, null, finished: false);
            Log.Requeued(logger, runId, outcome.Results.Count);
            return new ExecutedRun(runId, RunStatus.Queued, null, suite, outcome, null);
        }

        var report = VerdictCalculator.Compute(
            new VerdictInput(CaseInfo.Of(suite), outcome.Results, baseline.ToString(), candidate.ToString())
            {
                BaselinePrice = prices.Find(baseline),
                CandidatePrice = prices.Find(candidate),
                Volume = pin is { MonthlyInputTokens: not null } or { MonthlyOutputTokens: not null }
                    ? new MonthlyVolume(pin.MonthlyInputTokens ?? 0, pin.MonthlyOutputTokens ?? 0)
                    : null,
            },
            options.Value.Verdict);
        var verdict = VerdictName(report);
        var status = outcome.Stop == RunStop.BudgetExhausted ? RunStatus.BudgetExhausted : RunStatus.Completed;
        if (!await UpdateAsync(runId, status, null, outcome.SpentUsd, verdict, RegressionRuns.WriteReport(report), finished: true))
            return new ExecutedRun(runId, RunStatus.Cancelled, null, suite, outcome, report);
        // A run stopped by its budget has not compared every case: it informs, it does not decide readiness.
        if (status == RunStatus.Completed && run.PinId is { } readinessPin)
            await PinReadiness.RecordAsync(db, readinessPin, verdict, time.GetUtcNow(), CancellationToken.None);
        Log.Finished(logger, runId, status, verdict, outcome.SpentUsd);
        return new ExecutedRun(runId, status, null, suite, outcome, report);
    }

    public static string VerdictName(RegressionReport report) =>
        report.UpgradeRecommended ? "upgrade-recommended"
        : report.Verdict switch
        {
            Readiness.Ready => PinReadiness.Ready,
            Readiness.NeedsReview => PinReadiness.NeedsReview,
            Readiness.NotReady => PinReadiness.NotReady,
            _ => PinReadiness.Unknown,
        };

    private async Task<ExecutedRun> FailAsync(long runId, string error, Suite? suite)
    {
        Log.Failed(logger, runId, error);
        await UpdateAsync(runId, RunStatus.Failed, error, null, null, null, finished: true);
        return new ExecutedRun(runId, RunStatus.Failed, error, suite, null, null);
    }

    // Only while the run is still ours (running): a run cancelled meanwhile keeps its cancelled status.
    private async Task<bool> UpdateAsync(long runId, string status, string? error, decimal? spent, string? verdict, string? report, bool finished)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE regression_runs SET status = $2, error = $3, spent_usd = coalesce($4, spent_usd), verdict = $5, report = $6::jsonb,
                   finished_at = CASE WHEN $7 THEN $8 END, heartbeat_at = NULL
            WHERE id = $1 AND status = 'running'
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        command.Parameters.Add(new NpgsqlParameter { Value = status });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)spent ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)verdict ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)report ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = finished });
        command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
        // The end of a run is recorded even when the node is stopping.
        return await command.ExecuteNonQueryAsync(CancellationToken.None) > 0;
    }

    private static async Task<List<CaseResult>> LoadResultsAsync(MonitorDb db, long runId, RegressionRun run, CancellationToken cancellationToken)
    {
        var rows = await db.Set<RegressionResult>().AsNoTracking().Where(r => r.RunId == runId).ToListAsync(cancellationToken);
        return rows.Select(r => ToCaseResult(r, r.Side == "baseline" ? run.Baseline ?? "" : run.Candidate ?? "")).ToList();
    }

    public static CaseResult ToCaseResult(RegressionResult r, string model) =>
        new(r.CaseId, r.Side == "baseline" ? ModelSide.Baseline : ModelSide.Candidate, model,
            r.Status switch { "passed" => CaseStatus.Passed, "failed" => CaseStatus.Failed, _ => CaseStatus.Error },
            r.Output, r.LatencyMs, r.InputTokens, r.OutputTokens, r.TokensEstimated, r.CostUsd, r.Attempts, r.Error,
            JsonSerializer.Deserialize(r.Assertions, RegressionJson.Default.IReadOnlyListAssertionResult) ?? [], r.FinishedAt);

    public static string SideName(ModelSide side) => side == ModelSide.Baseline ? "baseline" : "candidate";

    public static string StatusName(CaseStatus status) => status switch
    {
        CaseStatus.Passed => "passed",
        CaseStatus.Failed => "failed",
        _ => "error",
    };

    // Renews the claim; when the run was cancelled meanwhile (it is no longer 'running'), stops it.
    private async Task HeartbeatAsync(long runId, CancellationTokenSource run, StrongBox<bool> cancelled, CancellationToken stop)
    {
        var interval = TimeSpan.FromSeconds(options.Value.Runs.HeartbeatSeconds);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(interval, time, stop);
                await using var command = dataSource.CreateCommand("UPDATE regression_runs SET heartbeat_at = $2 WHERE id = $1 AND status = 'running'");
                command.Parameters.Add(new NpgsqlParameter { Value = runId });
                command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
                if (await command.ExecuteNonQueryAsync(stop) == 0)
                {
                    cancelled.Value = true;
                    await run.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (NpgsqlException ex)
        {
            // The database is away; the run's own writes will fail and say so. Another node may take the run over.
            Log.HeartbeatFailed(logger, runId, ex.Message);
        }
    }

    private sealed class StrongBox<T>
    {
        public T? Value { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Regression run {RunId} ({Suite}): {Baseline} against {Candidate}")]
        public static partial void Starting(ILogger logger, long runId, string suite, string baseline, string candidate);

        [LoggerMessage(Level = LogLevel.Information, Message = "Regression run {RunId} {Status}: {Verdict}, ${Spent}")]
        public static partial void Finished(ILogger logger, long runId, string status, string verdict, decimal spent);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Regression run {RunId} failed: {Error}")]
        public static partial void Failed(ILogger logger, long runId, string error);

        [LoggerMessage(Level = LogLevel.Information, Message = "Regression run {RunId} interrupted with {Results} new result(s); back in the queue")]
        public static partial void Requeued(ILogger logger, long runId, int results);

        [LoggerMessage(Level = LogLevel.Error, Message = "Regression run {RunId} stopped on an error; it resumes when claimed again")]
        public static partial void Crashed(ILogger logger, Exception exception, long runId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Regression run {RunId}: heartbeat not recorded ({Reason})")]
        public static partial void HeartbeatFailed(ILogger logger, long runId, string reason);
    }
}
