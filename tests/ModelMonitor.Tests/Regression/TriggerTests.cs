using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ModelMonitor.Regression.Storage;

namespace ModelMonitor.Tests.Regression;

/// The automatic triggers run over every pin of the database; each test looks only at its own app's runs.
public sealed class TriggerTests(StoredRunsFixture fixture) : IClassFixture<StoredRunsFixture>
{
    private async Task<List<RunQueue.Queued>> TriggerAsync(long appId)
    {
        await using var scope = fixture.App.Scope();
        var queued = await scope.ServiceProvider.GetRequiredService<RunQueue>().QueueTriggeredAsync(CancellationToken.None);
        List<RunQueue.Queued> mine = [];
        foreach (var q in queued)
            if (await fixture.ScalarAsync("SELECT count(*) FROM pins WHERE id = $1 AND app_id = $2", q.PinId, appId) == 1)
                mine.Add(q);
        return mine;
    }

    private async Task<long> AppWithSuiteAsync(string pin)
    {
        var (team, client) = await fixture.TeamWithAppAsync("support", pin);
        Assert.Equal(HttpStatusCode.Created, (await StoredRunsFixture.PutSuiteAsync(client, team, "support", "answers", StoredRunsFixture.Suite(1))).StatusCode);
        return await fixture.ScalarAsync("SELECT a.id FROM apps a JOIN teams t ON t.id = a.team_id WHERE t.name = $1", team);
    }

    private Task<long> TriggerOfAsync(long runId, string trigger) =>
        fixture.ScalarAsync("SELECT count(*) FROM regression_runs WHERE id = $1 AND trigger = $2", runId, trigger);

    [Fact]
    public async Task ASuccessorAppearingInTheCatalogQueuesARunOnce()
    {
        var appId = await AppWithSuiteAsync("gpt-4.1");
        var before = await TriggerAsync(appId);

        await fixture.ExecuteSqlAsync("UPDATE model_versions SET replacements = ARRAY['gpt-4.1-mini'] WHERE provider = 'openai' AND model = 'gpt-4.1'");
        var after = await TriggerAsync(appId);
        var again = await TriggerAsync(appId);

        Assert.Empty(before);
        var run = Assert.Single(after);
        Assert.Equal(RunStatus.Queued, run.Status);
        Assert.Equal(1L, await TriggerOfAsync(run.RunId, RunTrigger.SuccessorChanged));
        Assert.Equal(1L, await fixture.ScalarAsync("SELECT count(*) FROM regression_runs WHERE id = $1 AND candidate = 'fake:gpt-4.1-mini'", run.RunId));
        Assert.Empty(again);
    }

    [Fact]
    public async Task ASuccessorChangedAfterARunQueuesANewRunButAnUnchangedOneDoesNot()
    {
        var appId = await AppWithSuiteAsync("gpt-4o-mini-2024-07-18");
        var first = Assert.Single(await TriggerAsync(appId));
        await fixture.ExecuteSqlAsync("UPDATE regression_runs SET status = 'completed', finished_at = now() WHERE id = $1", first.RunId);
        var unchanged = await TriggerAsync(appId);

        await fixture.ExecuteSqlAsync("UPDATE model_versions SET replacements = ARRAY['gpt-4.1'] WHERE provider = 'openai' AND model = 'gpt-4o-mini-2024-07-18'");
        var changed = await TriggerAsync(appId);
        await fixture.ExecuteSqlAsync("UPDATE model_versions SET replacements = ARRAY['gpt-4.1-mini'] WHERE provider = 'openai' AND model = 'gpt-4o-mini-2024-07-18'");

        Assert.Empty(unchanged);
        var run = Assert.Single(changed);
        Assert.Equal(1L, await TriggerOfAsync(run.RunId, RunTrigger.SuccessorChanged));
    }

    [Fact]
    public async Task AnAliasRepointedToAnotherVersionQueuesARun()
    {
        var appId = await AppWithSuiteAsync("gpt-4o-2024-05-13");
        var first = Assert.Single(await TriggerAsync(appId));
        await fixture.ExecuteSqlAsync("UPDATE regression_runs SET status = 'completed', finished_at = now() WHERE id = $1", first.RunId);

        // The pin's alias now resolves to another version, whose successor the catalog knows.
        await fixture.ExecuteSqlAsync("UPDATE pins SET resolved_model = 'gpt-4o-mini-2024-07-18' WHERE app_id = $1", appId);
        var run = Assert.Single(await TriggerAsync(appId));

        Assert.Equal(1L, await TriggerOfAsync(run.RunId, RunTrigger.SuccessorChanged) + await TriggerOfAsync(run.RunId, RunTrigger.AliasRepointed));
        Assert.Equal(1L, await fixture.ScalarAsync("SELECT count(*) FROM regression_runs WHERE id = $1 AND baseline_model = 'gpt-4o-mini-2024-07-18'", run.RunId));
    }

    [Fact]
    public async Task AnAliasRepointedToAVersionWithTheSameSuccessorIsLabelledAliasRepointed()
    {
        var appId = await AppWithSuiteAsync("gpt-4o-2024-05-13");
        var first = Assert.Single(await TriggerAsync(appId));
        await fixture.ExecuteSqlAsync("UPDATE regression_runs SET status = 'completed', finished_at = now() WHERE id = $1", first.RunId);
        await fixture.ExecuteSqlAsync("""
            INSERT INTO model_versions (provider, model, version, status, replacements, retires_on_is_estimate, retires_on_precision, first_seen_at, updated_at)
            VALUES ('openai', 'gpt-4o-2024-05-13-alt', '', 'Deprecated', ARRAY['gpt-4o-2024-08-06'], false, 'Day', now(), now())
            ON CONFLICT DO NOTHING
            """);

        await fixture.ExecuteSqlAsync("UPDATE pins SET resolved_model = 'gpt-4o-2024-05-13-alt' WHERE app_id = $1", appId);
        var run = Assert.Single(await TriggerAsync(appId));

        Assert.Equal(1L, await TriggerOfAsync(run.RunId, RunTrigger.AliasRepointed));
    }

    [Fact]
    public async Task APinNearRetirementWhoseLastRunIsOldGetsAFreshRun()
    {
        // gpt-4o-2024-05-13 retires on 2026-12-15: 17 days after the fixture's clock, inside the 30-day window.
        var appId = await AppWithSuiteAsync("gpt-4o-2024-05-13");
        var first = Assert.Single(await TriggerAsync(appId));
        await fixture.ExecuteSqlAsync("UPDATE regression_runs SET status = 'completed', finished_at = requested_at WHERE id = $1", first.RunId);
        var recent = await TriggerAsync(appId);

        await fixture.ExecuteSqlAsync("UPDATE regression_runs SET requested_at = requested_at - interval '20 days' WHERE id = $1", first.RunId);
        var run = Assert.Single(await TriggerAsync(appId));

        Assert.Empty(recent);
        Assert.Equal(1L, await TriggerOfAsync(run.RunId, RunTrigger.RetirementNear));
    }

    [Fact]
    public async Task TriggersRacingEachOtherQueueOneRun()
    {
        var appId = await AppWithSuiteAsync("gpt-4o-mini-2024-07-18");

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => TriggerAsync(appId)));

        Assert.Equal(1, results.Sum(r => r.Count));
        Assert.Equal(1L, await fixture.ScalarAsync("SELECT count(*) FROM regression_runs r JOIN pins p ON p.id = r.pin_id WHERE p.app_id = $1", appId));
    }
}
