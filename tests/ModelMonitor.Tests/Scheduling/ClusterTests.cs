using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using ModelMonitor.Tests.Fixtures;
using ModelMonitor.Tests.Sources;
using Npgsql;

namespace ModelMonitor.Tests.Scheduling;

/// Two or more real `monitor run` processes on one database, clustered through Quartz's PostgreSQL store.
/// Short intervals come from environment variables; every wait polls a condition with a deadline.
public sealed partial class ClusterTests
{
    private static readonly TimeSpan StartUp = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task EachFiringOfATriggerRunsOnOneNodeOnly()
    {
        var database = await PostgresServer.CreateDatabaseAsync("cluster");
        var environment = ClusterEnvironment(database);
        environment["Scheduling__Crons__retirements"] = "* * * * * ?";
        await using var a = MonitorNode.Start("a", environment);
        await using var b = MonitorNode.Start("b", environment);
        await a.WaitUntilSchedulingAsync(StartUp);
        await b.WaitUntilSchedulingAsync(StartUp);

        // Both nodes have checked in to one cluster; then let a dozen one-second slots go by.
        // A node checks in while its scheduler starts, before the host reports "Application started".
        Assert.Equal(2, await ScalarAsync<long>(database, "SELECT count(*) FROM qrtz_scheduler_state"));
        var firstShared = Starts(a, b).Where(s => s.Job == "retirements").Select(s => s.Scheduled).DefaultIfEmpty().Max();
        await UntilLoggedAsync(() => Starts(a, b).Count(s => s.Job == "retirements" && s.Scheduled > firstShared) >= 12, "twelve firings with both nodes up", a, b);

        var starts = Starts(a, b).Where(s => s.Job == "retirements").ToList();
        var twice = starts.GroupBy(s => s.Scheduled).Where(g => g.Count() > 1).Select(g => $"{g.Key:O} on {string.Join(", ", g.Select(s => s.Node))}").ToList();
        Assert.Empty(twice);
        Assert.True(starts.Count >= 12);
    }

    [Fact]
    public async Task AJobOnANodeKilledMidRunIsRecoveredByAnotherNode()
    {
        await using var pages = await PageServer.StartAsync();
        var fetched = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = 0;
        pages.Handle("/lifecycle.md", async context =>
        {
            if (Interlocked.Increment(ref requests) == 1)
            {
                // The first crawl hangs here until its node is killed.
                fetched.TrySetResult();
                try
                {
                    // Until the connection drops (the node dies): a wait on an event, not on time.
                    var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    await using (context.RequestAborted.Register(() => aborted.TrySetResult()))
                        await aborted.Task;
                }
                catch (OperationCanceledException)
                {
                }
                return;
            }
            context.Response.ContentType = "text/markdown; charset=utf-8";
            await context.Response.WriteAsync(CrawlTests.PageV1);
        });

        var database = await PostgresServer.CreateDatabaseAsync("recovery");
        var environment = ClusterEnvironment(database);
        environment["Sources__sample__Provider"] = "cohere";
        environment["Sources__sample__Kind"] = "page";
        environment["Sources__sample__Url"] = pages.Url("/lifecycle.md");
        environment["Sources__sample__Enabled"] = "true";
        environment["Sources__sample__Schedule"] = NeverOnItsOwn;
        await using var a = MonitorNode.Start("a", environment);
        await using var b = MonitorNode.Start("b", environment);
        await a.WaitUntilSchedulingAsync(StartUp);
        await b.WaitUntilSchedulingAsync(StartUp);
        await FireNowAsync(database, "crawl-sample");

        await fetched.Task.WaitAsync(StartUp);
        await UntilLoggedAsync(() => Starts(a, b).Any(s => s.Job == "crawl"), "the crawl's start in a node's log", a, b);
        var first = Starts(a, b).Single(s => s.Job == "crawl");
        var (victim, survivor) = first.Process == a ? (a, b) : (b, a);
        Assert.False(first.Recovering);
        victim.Kill();

        await survivor.WaitForLogAsync(lines => lines.Any(l => l.Contains("Job crawl finished", StringComparison.Ordinal)), TimeSpan.FromSeconds(90), "the recovered crawl");
        var recovered = Assert.Single(Starts(survivor), s => s.Job == "crawl");
        Assert.True(recovered.Recovering);
        Assert.Contains(survivor.Lines, l => l.Contains("sample: applied, 4 rows", StringComparison.Ordinal));
        Assert.Equal("Healthy", await ScalarAsync<string>(database, "SELECT health FROM sources WHERE name = 'sample'"));
        Assert.Equal(4L, await ScalarAsync<long>(database, "SELECT count(*) FROM model_versions WHERE provider = 'cohere'"));
        Assert.Equal(2, requests);
    }

    [Fact]
    public async Task ARunMissedWhileEveryNodeWasDownRunsOnceAtStartUp()
    {
        var database = await PostgresServer.CreateDatabaseAsync("misfire");
        var environment = ClusterEnvironment(database);
        // Hourly, at a minute half an hour away, so no regular slot falls inside the test.
        var now = TimeProvider.System.GetUtcNow();
        environment["Scheduling__Crons__retirements"] = $"0 {(now.Minute + 30) % 60} * * * ?";
        environment["Scheduling__MisfireThresholdSeconds"] = "5";

        var first = MonitorNode.Start("first", environment);
        await using (first)
        {
            await first.WaitUntilSchedulingAsync(StartUp);
            // Triggers are stored while the scheduler starts, before "Application started".
            Assert.Equal(1, await ScalarAsync<long>(database, "SELECT count(*) FROM qrtz_triggers WHERE trigger_name = 'retirements'"));
            await first.StopAsync(TimeSpan.FromSeconds(60));
        }
        Assert.DoesNotContain(Starts(first), s => s.Job == "retirements");

        // The cluster was down for five and a half hours: five hourly slots were missed.
        var missedFrom = TimeProvider.System.GetUtcNow().AddHours(-5.5);
        await ExecuteAsync(database, $"UPDATE qrtz_triggers SET next_fire_time = {missedFrom.UtcTicks} WHERE trigger_name = 'retirements'");

        await using var second = MonitorNode.Start("second", environment);
        await second.WaitUntilSchedulingAsync(StartUp);
        await second.WaitForLogAsync(lines => lines.Any(l => l.Contains("Job retirements finished", StringComparison.Ordinal)), StartUp, "the missed run");
        // Once the trigger has moved on to its next regular slot, no further catch-up firing can come.
        var startedAt = TimeProvider.System.GetUtcNow();
        // Quartz computes the next fire time when it fires the trigger, before the job runs.
        Assert.True(await ScalarAsync<long>(database, "SELECT next_fire_time FROM qrtz_triggers WHERE trigger_name = 'retirements'") > startedAt.UtcTicks, "the trigger did not move past now");
        await second.WaitForLogAsync(lines => lines.Count(l => l.Contains("Job retirements started", StringComparison.Ordinal)) == lines.Count(l => l.Contains("Job retirements finished", StringComparison.Ordinal)), StartUp, "every started run finished");

        Assert.Single(Starts(second), s => s.Job == "retirements");
    }

    [Fact]
    public async Task SigtermLetsARunningJobFinishBeforeTheNodeExits()
    {
        await using var pages = await PageServer.StartAsync();
        var fetched = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pages.Handle("/lifecycle.md", async context =>
        {
            fetched.TrySetResult();
            await release.Task;
            context.Response.ContentType = "text/markdown; charset=utf-8";
            await context.Response.WriteAsync(CrawlTests.PageV1);
        });
        var database = await PostgresServer.CreateDatabaseAsync("shutdown");
        var environment = ClusterEnvironment(database);
        environment["Sources__sample__Provider"] = "cohere";
        environment["Sources__sample__Kind"] = "page";
        environment["Sources__sample__Url"] = pages.Url("/lifecycle.md");
        environment["Sources__sample__Enabled"] = "true";
        environment["Sources__sample__Schedule"] = NeverOnItsOwn;
        await using var node = MonitorNode.Start("node", environment);
        await node.WaitUntilSchedulingAsync(StartUp);
        await FireNowAsync(database, "crawl-sample");
        await fetched.Task.WaitAsync(StartUp);

        var stopping = node.StopAsync(TimeSpan.FromSeconds(90));
        await node.WaitForLogAsync(lines => lines.Any(l => l.Contains("Scheduler stopping", StringComparison.Ordinal)), TimeSpan.FromSeconds(60), "the shutdown");
        Assert.False(node.HasExited);
        release.SetResult();
        await stopping;

        Assert.Contains(node.Lines, l => l.Contains("sample: applied, 4 rows", StringComparison.Ordinal));
        Assert.Equal(4L, await ScalarAsync<long>(database, "SELECT count(*) FROM model_versions WHERE provider = 'cohere'"));
        Assert.Equal(0L, await ScalarAsync<long>(database, "SELECT count(*) FROM qrtz_fired_triggers"));
    }

    private static Dictionary<string, string?> ClusterEnvironment(string database)
    {
        var environment = MonitorNode.Environment(database);
        environment["Scheduling__CheckinIntervalSeconds"] = "1";
        // Cron expressions are read in local time; pin it so the tests' minute arithmetic means what it says.
        environment["TZ"] = "UTC";
        return environment;
    }

    // A cron whose next slot is far away; FireNowAsync moves the stored trigger's next fire time to now, so it
    // fires exactly once, when the test is ready (a node picks it up within Quartz's idle wait, 30 s).
    private const string NeverOnItsOwn = "0 0 0 1 1 ? 2099";

    private static async Task FireNowAsync(string database, string trigger)
    {
        // Called once the nodes have started: their triggers were stored while the scheduler started.
        Assert.Equal(1, await ScalarAsync<long>(database, $"SELECT count(*) FROM qrtz_triggers WHERE trigger_name = '{trigger}'"));
        await ExecuteAsync(database, $"UPDATE qrtz_triggers SET next_fire_time = {TimeProvider.System.GetUtcNow().UtcTicks} WHERE trigger_name = '{trigger}'");
    }

    private sealed record Start(MonitorNode Process, string Job, string Node, DateTimeOffset Scheduled, bool Recovering);

    private static List<Start> Starts(params MonitorNode[] nodes) =>
        nodes.SelectMany(n => n.Lines.Select(l => StartLine().Match(l)).Where(m => m.Success).Select(m => new Start(
            n,
            m.Groups["job"].Value,
            m.Groups["node"].Value,
            DateTimeOffset.TryParse(m.Groups["scheduled"].Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : DateTimeOffset.MinValue,
            bool.Parse(m.Groups["recovering"].Value)))).ToList();

    [GeneratedRegex(@"Job (?<job>\S+) started \(trigger (?<trigger>\S+), node (?<node>\S+), scheduled (?<scheduled>\S+), recovering (?<recovering>\w+)\)")]
    private static partial Regex StartLine();

    // Re-checked whenever any of the nodes logs a line (their log is what the condition reads): no polling.
    private static Task UntilLoggedAsync(Func<bool> condition, string what, params MonitorNode[] nodes) =>
        Task.WhenAny(nodes.Select(n => n.WaitForLogAsync(_ => condition(), TimeSpan.FromSeconds(120), what))).Unwrap();

    private static async Task<T> ScalarAsync<T>(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static Task ExecuteAsync(string database, string sql) => PostgresServer.ExecuteAsync(database, sql);
}
