using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ModelMonitor.Notifications;
using ModelMonitor.Sources;
using ModelMonitor.Tests.Fixtures;
using ModelMonitor.Tests.Notifications;
using ModelMonitor.Tests.Sources;
using Npgsql;

namespace ModelMonitor.Tests.Hardening;

/// PostgreSQL stopped (immediately, as in a crash) and started again while a crawl, a planning run and a
/// delivery run are in the middle of their work. Each run may fail; the next run (as the scheduler would
/// start it) completes the work, and nothing is lost or duplicated.
public sealed class PostgresRestartTests(PrivatePostgres postgres) : IClassFixture<PrivatePostgres>
{
    private const string Path = "/docs/deprecations";
    private static readonly DateOnly Today = NotifyHarness.Today;

    // What the scheduler does after a failed run: run again later. Bounded, and each failure is kept for the message.
    private static async Task<T> RetryAsync<T>(Func<Task<T>> run, Func<T, bool> done, List<string> failures)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await run();
                if (done(result))
                    return result;
                failures.Add(result!.ToString()!);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or Microsoft.EntityFrameworkCore.DbUpdateException or IOException)
            {
                failures.Add($"{ex.GetType().Name}: {ex.Message}");
            }
            Assert.True(attempt < 5, "still failing after 5 runs: " + string.Join(" | ", failures));
        }
    }

    [Fact]
    public async Task ARestartMidCrawlLosesNothingAndTheNextRunAppliesThePageOnce()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var server = await PageServer.StartAsync();
        var arrived = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        server.Handle(Path, async context =>
        {
            arrived.TrySetResult();
            await release.Task;
            context.Response.ContentType = "text/markdown; charset=utf-8";
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(CrawlTests.PageV1));
        });
        var settings = CrawlTests.Settings(server);
        settings["ConnectionStrings:Monitor"] = connectionString;
        await using var app = new MonitorApp(connectionString, settings);
        _ = app.Server;
        // The crawl has read the source's state and holds its lock when the page is still on its way.
        var failures = new List<string>();
        var first = Task.Run(() => CrawlTests.CrawlAsync(app));
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(60));

        await postgres.RestartAsync();
        release.SetResult();
        try
        {
            failures.Add((await first).ToString());
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException)
        {
            failures.Add($"{ex.GetType().Name}: {ex.Message}");
        }
        server.Serve(Path, CrawlTests.PageV1);
        var result = await RetryAsync(() => CrawlTests.CrawlAsync(app), r => r.Outcome is CrawlOutcome.Applied or CrawlOutcome.Unchanged, failures);

        // The same page crawled once on a database that never blinked: the catalog must be the same.
        var control = await postgres.CreateDatabaseAsync();
        var controlSettings = CrawlTests.Settings(server);
        controlSettings["ConnectionStrings:Monitor"] = control;
        await using (var clean = new MonitorApp(control, controlSettings))
            Assert.Equal(CrawlOutcome.Applied, (await CrawlTests.CrawlAsync(clean)).Outcome);
        Assert.Equal(await CatalogAsync(control), await CatalogAsync(connectionString));
        Assert.Equal(1, await postgres.ScalarAsync(connectionString, "SELECT count(*) FROM snapshots WHERE outcome = 'Applied'"));
        Assert.Equal("Healthy", await ScalarTextAsync(connectionString, "SELECT health FROM sources WHERE name = 'sample'"));
        Assert.True(result.Outcome is CrawlOutcome.Applied or CrawlOutcome.Unchanged, string.Join(" | ", failures));
    }

    [Fact]
    public async Task ARestartMidPlanningRollsTheRunBackAndTheNextRunPlansEachKeyOnce()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var h = await NotifyHarness.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Monitor"] = connectionString });
        await h.AddModelAsync("openai", "gpt-4-0613", Today.AddDays(7), successor: "gpt-4o-2024-08-06");
        for (var i = 1; i <= 3; i++)
        {
            await h.CreateTeamAsync($"team-{i}");
            await h.PutAppAsync($"team-{i}", "app", ["openai/gpt-4-0613"]);
        }

        // Hold the outbox so the planning transaction stops half-way (notifications and digests written, the
        // outbox not yet), then cut the server.
        var failures = new List<string>();
        await using (var blocker = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString))
        {
            await blocker.OpenAsync();
            await using var tx = await blocker.BeginTransactionAsync();
            await using (var lockOutbox = new NpgsqlCommand("LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE", blocker, tx))
                await lockOutbox.ExecuteNonQueryAsync();
            var planning = Task.Run(() => h.PlanAsync());
            await WaitUntilAsync(async () => await postgres.ScalarAsync(connectionString,
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO outbox%'") > 0);

            await postgres.RestartAsync();
            try
            {
                failures.Add((await planning).ToString());
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException)
            {
                failures.Add($"{ex.GetType().Name}: {ex.Message}");
            }
        }
        Assert.Equal(0, await postgres.ScalarAsync(connectionString, "SELECT count(*) FROM notifications"));

        var plan = await RetryAsync(() => h.PlanAsync(), _ => true, failures);
        await RetryAsync(() => h.PlanAsync(), _ => true, failures);

        Assert.Equal(3, plan.DigestIds.Count);
        Assert.Equal(3, await postgres.ScalarAsync(connectionString, "SELECT count(*) FROM notifications"));
        Assert.Equal(3, await postgres.ScalarAsync(connectionString, "SELECT count(*) FROM digests"));
        Assert.Equal(3, await postgres.ScalarAsync(connectionString, "SELECT count(*) FROM outbox"));
    }

    [Fact]
    public async Task ARestartMidDeliveryResendsAtMostTheOneMessageInFlightWithTheSameMessageId()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var smtp = ScriptedSmtpServer.Start();
        await using var h = await NotifyHarness.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Monitor"] = connectionString,
            ["Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await h.AddModelAsync("openai", "gpt-4-0613", Today.AddDays(7), successor: "gpt-4o-2024-08-06");
        for (var i = 1; i <= 3; i++)
        {
            await h.CreateTeamAsync($"team-{i}");
            await h.PutAppAsync($"team-{i}", "app", ["openai/gpt-4-0613"]);
        }
        await h.PlanAsync();
        // The server has the second message when the database goes away, before the send can be recorded.
        var restarted = 0;
        smtp.OnData = async () =>
        {
            if (smtp.Messages.Count == 2 && Interlocked.Exchange(ref restarted, 1) == 0)
                await postgres.RestartAsync();
        };

        var failures = new List<string>();
        try
        {
            failures.Add((await h.DeliverAsync()).ToString());
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException)
        {
            failures.Add($"{ex.GetType().Name}: {ex.Message}");
        }
        // The row in flight keeps its lease; once it lapses, the next run sends it again.
        h.Clock.Advance(TimeSpan.FromMinutes(6));
        await RetryAsync(() => h.DeliverAsync(), _ => true, failures);
        h.Clock.Advance(TimeSpan.FromMinutes(6));
        await RetryAsync(() => h.DeliverAsync(), r => r.Sent == 0, failures);

        var ids = smtp.Messages.Select(m => m.Message.MessageId).ToList();
        Assert.Equal(3, ids.Distinct().Count());
        Assert.InRange(ids.Count, 3, 4);
        Assert.All(ids.GroupBy(id => id), g => Assert.InRange(g.Count(), 1, 2));
        Assert.Equal(3, await postgres.ScalarAsync(connectionString, "SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL"));
    }

    private async Task<string> CatalogAsync(string connectionString) =>
        $"observations {await postgres.ScalarAsync(connectionString, "SELECT count(*) FROM observations")}, "
        + $"models {await postgres.ScalarAsync(connectionString, "SELECT count(*) FROM model_versions")}, "
        + $"statements {await postgres.ScalarAsync(connectionString, "SELECT count(*) FROM source_statements")}, "
        + $"events {await postgres.ScalarAsync(connectionString, "SELECT count(*) FROM change_events")}, "
        + $"distinct events {await postgres.ScalarAsync(connectionString, "SELECT count(DISTINCT (provider, model, kind)) FROM change_events")}";

    private static async Task<string?> ScalarTextAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (string?)await command.ExecuteScalarAsync();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!await condition())
            await Task.Delay(20, timeout.Token);
    }
}
