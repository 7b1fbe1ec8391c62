using System.Text.Json;
using System.Threading.Channels;
using Npgsql;

namespace ModelMonitor.Regression.Storage;

/// Stores a run's results as they finish, in batches: OnResult only queues, and one writer upserts whatever has
/// accumulated in one statement. One INSERT per result made the store the bottleneck of a run (about 270 results/s
/// against 1,300/s for the runner alone at concurrency 64); a crash loses at most the batch in flight, which the
/// resumed run calls again.
internal sealed class ResultWriter
{
    private const int MaxBatch = 1000;
    private readonly Channel<CaseResult> _queue = Channel.CreateUnbounded<CaseResult>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly NpgsqlDataSource _dataSource;
    private readonly long _runId;
    private readonly Task _writer;
    private volatile Exception? _fault;

    public ResultWriter(NpgsqlDataSource dataSource, long runId)
    {
        _dataSource = dataSource;
        _runId = runId;
        _writer = Task.Run(WriteAsync);
    }

    // Throwing here stops the run (RunRequest.OnResult's contract): no spending on results that cannot be kept.
    public ValueTask AddAsync(CaseResult result)
    {
        if (_fault is { } fault)
            throw new InvalidOperationException($"the run's results could not be stored: {fault.Message}", fault);
        _queue.Writer.TryWrite(result);
        return ValueTask.CompletedTask;
    }

    /// Waits until everything queued is stored; throws when some of it could not be.
    public async Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
        if (_fault is { } fault)
            throw new InvalidOperationException($"the run's results could not be stored: {fault.Message}", fault);
    }

    private async Task WriteAsync()
    {
        List<CaseResult> batch = new(64);
        try
        {
            while (await _queue.Reader.WaitToReadAsync())
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var result))
                    batch.Add(result);
                await UpsertAsync(batch);
                batch.Clear();
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            _fault = ex;
        }
    }

    private async Task UpsertAsync(List<CaseResult> batch)
    {
        // A call that gave up earlier and is tried again on resume replaces its stored result.
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO regression_results (run_id, case_id, side, status, output, latency_ms, input_tokens, output_tokens, tokens_estimated,
                                            cost_usd, attempts, error, assertions, finished_at)
            SELECT $1, u.case_id, u.side, u.status, u.output, u.latency_ms, u.input_tokens, u.output_tokens, u.tokens_estimated,
                   u.cost_usd, u.attempts, u.error, u.assertions::jsonb, u.finished_at
            FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::bigint[], $8::bigint[], $9::boolean[],
                        $10::numeric[], $11::integer[], $12::text[], $13::text[], $14::timestamptz[])
                 AS u(case_id, side, status, output, latency_ms, input_tokens, output_tokens, tokens_estimated, cost_usd, attempts, error, assertions, finished_at)
            ON CONFLICT (run_id, case_id, side) DO UPDATE SET status = excluded.status, output = excluded.output, latency_ms = excluded.latency_ms,
                input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens, tokens_estimated = excluded.tokens_estimated,
                cost_usd = excluded.cost_usd, attempts = excluded.attempts, error = excluded.error, assertions = excluded.assertions,
                finished_at = excluded.finished_at
            """);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter { Value = _runId });
        p.Add(new NpgsqlParameter { Value = batch.Select(r => r.CaseId).ToArray() });
        p.Add(new NpgsqlParameter { Value = batch.Select(r => RunExecutor.SideName(r.Side)).ToArray() });
        p.Add(new NpgsqlParameter { Value = batch.Select(r => RunExecutor.StatusName(r.Status)).ToArray() });
        p.Add(new NpgsqlParameter { Value = batch.Select(r => r.Output).ToArray() });
        p.Add(new NpgsqlParameter { Value = batch.Select(r => r.LatencyMs).ToArray() });
        p.Add(new NpgsqlParameter { Value = batch.Select(r => r.InputTokens).ToArray() });
        p.Add(new NpgsqlParameter { Value = batch.Select(r => r.OutputTokens).ToArray() });
        p.Add(new NpgsqlParameter { Value = batch.Select(r => r.TokensEstimated).ToArray() });
        p.Add(new NpgsqlParameter { Value = batch.Select(r => r.CostUsd).ToArray() });
        p.Add(new NpgsqlParameter { Value = batch.Select(r => r.Attempts).ToArray() });
        p.Add(new NpgsqlParameter { Value = batch.Select(r => r.Error).ToArray() });
        p.Add(new NpgsqlParameter { Value = batch.Select(r => JsonSerializer.Serialize(r.Assertions, RegressionJson.Default.IReadOnlyListAssertionResult)).ToArray() });
        p.Add(new NpgsqlParameter { Value = batch.Select(r => r.FinishedAt.ToUniversalTime()).ToArray() });
        // Stored even while the run is being cancelled: finished work is kept.
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
