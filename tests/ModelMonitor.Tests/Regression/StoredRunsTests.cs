using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelMonitor.Regression.Storage;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Regression;

public sealed class StoredRunsTests(StoredRunsFixture fixture) : IClassFixture<StoredRunsFixture>
{
    private async Task<(string Team, HttpClient Client, long RunId)> QueueAsync(string pin, int cases, object? body = null)
    {
        var (team, client) = await fixture.TeamWithAppAsync("support", pin);
        Assert.Equal(HttpStatusCode.Created, (await StoredRunsFixture.PutSuiteAsync(client, team, "support", "answers", StoredRunsFixture.Suite(cases))).StatusCode);
        var response = await client.PostAsJsonAsync($"/api/teams/{team}/apps/support/runs", body ?? new { });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var queued = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("queued");
        return (team, client, Assert.Single(queued.EnumerateArray()).GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task AQueuedRunIsExecutedWithEveryResultStoredAndThePinsReadinessWritten()
    {
        fixture.Llm.Script = FakeReply.Echo;
        var (team, client) = await fixture.TeamWithAppAsync("support", "gpt-4o-2024-05-13");
        await StoredRunsFixture.PutSuiteAsync(client, team, "support", "answers", StoredRunsFixture.Suite(3));

        var posted = await client.PostAsync($"/api/teams/{team}/apps/support/runs", null);
        var queued = (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("queued")[0];
        var runId = queued.GetProperty("id").GetInt64();
        var executed = await fixture.Executor.ExecuteAsync(runId, null, CancellationToken.None);
        var run = await client.GetFromJsonAsync<JsonElement>(posted.Headers.Location!.OriginalString);

        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        Assert.Equal($"/api/teams/{team}/apps/support/runs/{runId}", posted.Headers.Location!.OriginalString);
        Assert.Equal("queued", queued.GetProperty("status").GetString());
        Assert.Equal("manual", queued.GetProperty("trigger").GetString());
        Assert.Equal("fake:gpt-4o-2024-05-13", queued.GetProperty("baseline").GetString());
        Assert.Equal("fake:gpt-4o-2024-08-06", queued.GetProperty("candidate").GetString());
        Assert.Equal(RunStatus.Completed, executed!.Status);
        Assert.Equal("completed", run.GetProperty("status").GetString());
        // The candidate is cheaper by more than 15 % (catalog prices) and passes everything.
        Assert.Equal("upgrade-recommended", run.GetProperty("verdict").GetString());
        Assert.Equal(6, run.GetProperty("progress").GetProperty("done").GetInt32());
        Assert.Equal(6, run.GetProperty("progress").GetProperty("total").GetInt32());
        Assert.Equal(3, run.GetProperty("report").GetProperty("comparedCases").GetInt32());
        Assert.Equal(6L, await fixture.ScalarAsync("SELECT count(*) FROM regression_results WHERE run_id = $1 AND status = 'passed'", runId));
        Assert.Equal(1L, await fixture.ScalarAsync(
            "SELECT count(*) FROM pin_readiness r JOIN regression_runs x ON x.pin_id = r.pin_id WHERE x.id = $1 AND r.verdict = 'ready'", runId));
    }

    [Fact]
    public async Task ACandidateThatLosesCasesIsNotReadyAndTheRegressionIsInTheReport()
    {
        fixture.Llm.Script = r => r.Model == "gpt-4o-2024-08-06" && r.User.Contains("phrase 2", StringComparison.Ordinal)
            ? new FakeReply.Answer("I cannot help with that.")
            : FakeReply.Echo(r);
        var (team, client, runId) = await QueueAsync("gpt-4o-2024-05-13", 2);

        await fixture.Executor.ExecuteAsync(runId, null, CancellationToken.None);
        var run = await client.GetFromJsonAsync<JsonElement>($"/api/teams/{team}/apps/support/runs/{runId}");

        Assert.Equal("needs-review", run.GetProperty("verdict").GetString());
        var regression = Assert.Single(run.GetProperty("report").GetProperty("regressions").EnumerateArray());
        Assert.Equal("t2", regression.GetProperty("caseId").GetString());
        Assert.Equal("I cannot help with that.", regression.GetProperty("candidateOutput").GetString());
        Assert.Equal(1L, await fixture.ScalarAsync(
            "SELECT count(*) FROM pin_readiness r JOIN regression_runs x ON x.pin_id = r.pin_id WHERE x.id = $1 AND r.verdict = 'needs-review'", runId));
    }

    [Fact]
    public async Task AnInterruptedRunGoesBackToTheQueueAndResumesFromItsStoredResults()
    {
        using var stop = new CancellationTokenSource();
        var calls = 0;
        fixture.Llm.Script = r =>
        {
            // Interrupt the node once a few calls have been answered.
            if (Interlocked.Increment(ref calls) == 5)
                stop.Cancel();
            return FakeReply.Echo(r);
        };
        var (_, _, runId) = await QueueAsync("gpt-4o-2024-05-13", 10);

        var first = await fixture.Executor.ExecuteAsync(runId, null, stop.Token);
        var storedAfterFirst = await fixture.ScalarAsync("SELECT count(*) FROM regression_results WHERE run_id = $1", runId);
        var statusAfterFirst = await fixture.ScalarAsync("SELECT count(*) FROM regression_runs WHERE id = $1 AND status = 'queued'", runId);
        fixture.Llm.Requests.Clear();
        var second = await fixture.Executor.ExecuteAsync(runId, null, CancellationToken.None);

        Assert.Equal(RunStatus.Queued, first!.Status);
        Assert.Equal(1L, statusAfterFirst);
        Assert.InRange(storedAfterFirst, 1, 19);
        Assert.Equal(RunStatus.Completed, second!.Status);
        // Only what was not stored is called again.
        Assert.Equal(20 - storedAfterFirst, fixture.Llm.Requests.Count);
        Assert.Equal(20L, await fixture.ScalarAsync("SELECT count(*) FROM regression_results WHERE run_id = $1", runId));
    }

    [Fact]
    public async Task CostUsesTheCatalogsPricesWhenNoneIsConfigured()
    {
        fixture.Llm.Script = r => new FakeReply.Answer("ANSWER: " + r.User.ToUpperInvariant(), InputTokens: 1000, OutputTokens: 100);
        var (_, _, runId) = await QueueAsync("gpt-4o-2024-05-13", 1);

        await fixture.Executor.ExecuteAsync(runId, null, CancellationToken.None);

        // Catalog: gpt-4o-2024-05-13 at $5 / $15 per million, gpt-4o-2024-08-06 at $2.5 / $10.
        Assert.Equal(6_500L, await fixture.ScalarAsync("SELECT (cost_usd * 1e6)::bigint FROM regression_results WHERE run_id = $1 AND side = 'baseline'", runId));
        Assert.Equal(3_500L, await fixture.ScalarAsync("SELECT (cost_usd * 1e6)::bigint FROM regression_results WHERE run_id = $1 AND side = 'candidate'", runId));
        Assert.Equal(10_000L, await fixture.ScalarAsync("SELECT (spent_usd * 1e6)::bigint FROM regression_runs WHERE id = $1", runId));
    }

    [Fact]
    public async Task AConfiguredPriceWinsOverTheCatalogs()
    {
        fixture.Llm.Script = r => new FakeReply.Answer("ANSWER: " + r.User.ToUpperInvariant(), InputTokens: 1000, OutputTokens: 100);
        var (_, _, runId) = await QueueAsync("gpt-4o-mini-2024-07-18", 1);

        await fixture.Executor.ExecuteAsync(runId, null, CancellationToken.None);

        // Configured: $1 / $1 per million (the catalog says $0.15 / $0.60).
        Assert.Equal(1_100L, await fixture.ScalarAsync("SELECT (cost_usd * 1e6)::bigint FROM regression_results WHERE run_id = $1 AND side = 'baseline'", runId));
    }

    [Fact]
    public async Task APinWhoseProviderNoEndpointServesGetsAFailedRunThatSaysWhy()
    {
        var (team, client) = await fixture.TeamWithAppAsync("support", "anthropic:claude-3-5-sonnet-20241022");
        await StoredRunsFixture.PutSuiteAsync(client, team, "support", "answers", StoredRunsFixture.Suite(1));

        var response = await client.PostAsync($"/api/teams/{team}/apps/support/runs", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var run = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("queued")[0];
        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Contains("Regression:ProviderEndpoints:anthropic", run.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("claude-sonnet-4-5", run.GetProperty("candidateModel").GetString());
    }

    [Fact]
    public async Task ASecondRequestWhileARunIsQueuedQueuesNoDuplicate()
    {
        var (team, client, runId) = await QueueAsync("gpt-4o-2024-05-13", 1);

        var again = await client.PostAsync($"/api/teams/{team}/apps/support/runs", null);

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already queued or running", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1L, await fixture.ScalarAsync(
            "SELECT count(*) FROM regression_runs WHERE app_id = (SELECT app_id FROM regression_runs WHERE id = $1)", runId));
    }

    [Fact]
    public async Task TwoExecutorsNeverTakeTheSameRun()
    {
        fixture.Llm.Script = r => new FakeReply.Answer("ANSWER: " + r.User.ToUpperInvariant(), Delay: TimeSpan.FromMilliseconds(50));
        var (_, _, runId) = await QueueAsync("gpt-4o-2024-05-13", 2);
        fixture.Llm.Requests.Clear();

        var both = await Task.WhenAll(
            fixture.Executor.ExecuteAsync(runId, null, CancellationToken.None),
            fixture.Executor.ExecuteAsync(runId, null, CancellationToken.None));

        Assert.Single(both, b => b is null);
        Assert.Single(both, b => b is { Status: RunStatus.Completed });
        Assert.Equal(4, fixture.Llm.Requests.Count);
    }

    [Fact]
    public async Task ACancelledRunStopsAndKeepsItsStatus()
    {
        var (team, client, runId) = await QueueAsync("gpt-4o-2024-05-13", 1);

        var cancelled = await client.PostAsync($"/api/teams/{team}/apps/support/runs/{runId}/cancel", null);
        var executed = await fixture.Executor.ExecuteAsync(runId, null, CancellationToken.None);
        var again = await client.PostAsync($"/api/teams/{team}/apps/support/runs/{runId}/cancel", null);

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Null(executed);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("cancelled", (await client.GetFromJsonAsync<JsonElement>($"/api/teams/{team}/apps/support/runs/{runId}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task AnotherTeamCannotSeeOrQueueRuns()
    {
        var (team, _, runId) = await QueueAsync("gpt-4o-2024-05-13", 1);
        var (_, other) = await fixture.TeamWithAppAsync("support", "gpt-4o-2024-05-13");

        var read = await other.GetAsync($"/api/teams/{team}/apps/support/runs/{runId}");
        var queue = await other.PostAsync($"/api/teams/{team}/apps/support/runs", null);

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, queue.StatusCode);
    }

    [Fact]
    public async Task TheLatestFinishedRunOfEachPinIsReadBackWithItsReport()
    {
        fixture.Llm.Script = FakeReply.Echo;
        var (_, _, runId) = await QueueAsync("gpt-4o-2024-05-13", 2);
        await fixture.Executor.ExecuteAsync(runId, null, CancellationToken.None);
        var appId = await fixture.ScalarAsync("SELECT app_id FROM regression_runs WHERE id = $1", runId);

        var latest = await fixture.App.WithDbAsync(db => RegressionRuns.LatestForAppAsync(db, appId, CancellationToken.None));

        var stored = Assert.Single(latest);
        Assert.Equal(runId, stored.Run.Id);
        Assert.Equal("answers", stored.SuiteName);
        Assert.Equal(ModelMonitor.Regression.Readiness.Ready, stored.Report!.Verdict);
        Assert.Equal(2, stored.Report.ComparedCases);
    }

    [Fact]
    public async Task ARunWhoseNodeStoppedBeatingIsTakenOverAndResumedButALiveOneIsNot()
    {
        fixture.Llm.Script = FakeReply.Echo;
        var (_, _, runId) = await QueueAsync("gpt-4o-2024-05-13", 2);
        var now = fixture.App.Clock.GetUtcNow();
        // Another node claimed it and stored one result, then went silent.
        await fixture.ExecuteSqlAsync("UPDATE regression_runs SET status = 'running', started_at = $2, heartbeat_at = $2 WHERE id = $1", runId, now.AddSeconds(-10));
        var live = await fixture.Executor.ExecuteAsync(runId, null, CancellationToken.None);
        await fixture.ExecuteSqlAsync("""
            INSERT INTO regression_results (run_id, case_id, side, status, output, latency_ms, input_tokens, output_tokens, tokens_estimated, attempts, assertions, finished_at)
            VALUES ($1, 't1', 'baseline', 'passed', 'ANSWER: REPEAT: PHRASE 1', 5, 10, 5, false, 1, '[]', $2)
            """, runId, now);
        await fixture.ExecuteSqlAsync("UPDATE regression_runs SET heartbeat_at = $2 WHERE id = $1", runId, now.AddMinutes(-10));
        fixture.Llm.Requests.Clear();

        var takenOver = await fixture.Executor.ExecuteAsync(runId, null, CancellationToken.None);

        Assert.Null(live);
        Assert.Equal(RunStatus.Completed, takenOver!.Status);
        Assert.Equal(3, fixture.Llm.Requests.Count);
        Assert.Equal(4L, await fixture.ScalarAsync("SELECT count(*) FROM regression_results WHERE run_id = $1", runId));
    }

    [Fact]
    public async Task CancellingARunningRunStopsItAtTheNextHeartbeat()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fixture.Llm.Script = _ =>
        {
            arrived.TrySetResult();
            return new FakeReply.Hang();
        };
        var (team, client, runId) = await QueueAsync("gpt-4o-2024-05-13", 1);

        var executing = fixture.Executor.ExecuteAsync(runId, null, CancellationToken.None);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var cancelled = await client.PostAsync($"/api/teams/{team}/apps/support/runs/{runId}/cancel", null);
        // The heartbeat (30 s by default) finds the run no longer running and stops it.
        fixture.App.Clock.Advance(TimeSpan.FromSeconds(31));
        var executed = await executing.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal(RunStatus.Cancelled, executed!.Status);
        Assert.Equal(1L, await fixture.ScalarAsync("SELECT count(*) FROM regression_runs WHERE id = $1 AND status = 'cancelled' AND verdict IS NULL", runId));
    }
}
