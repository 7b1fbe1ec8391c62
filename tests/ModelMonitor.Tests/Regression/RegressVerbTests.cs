using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using ModelMonitor.Cli;
using ModelMonitor.Regression;
using ModelMonitor.Storage;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Regression;

public sealed class RegressVerbTests(StoredRunsFixture fixture) : IClassFixture<StoredRunsFixture>
{
    private async Task<(int Exit, string Out)> RunAsync(params string[] args)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Monitor"] = fixture.App.ConnectionString,
            ["Endpoints:fake:Kind"] = "openai",
            ["Endpoints:fake:BaseUrl"] = fixture.Llm.OpenAIBaseUrl,
            ["Regression:ProviderEndpoints:openai"] = "fake",
        });
        builder.AddStorage();
        builder.AddRegression();
        await using var app = builder.Build();
        using var output = new StringWriter();
        var exit = await RegressVerb.RunAsync(new VerbContext(app.Services, new CliArguments(args, RegressVerb.Flags, RegressVerb.Options), output, default));
        return (exit, output.ToString());
    }

    private async Task<string> AppWithSuiteAsync()
    {
        var (team, client) = await fixture.TeamWithAppAsync("support", "gpt-4o-2024-05-13");
        Assert.Equal(HttpStatusCode.Created, (await StoredRunsFixture.PutSuiteAsync(client, team, "support", "answers", StoredRunsFixture.Suite(2))).StatusCode);
        return team;
    }

    [Fact]
    public async Task RunWithWaitExecutesHerePrintsTheSummaryAndExitsZeroWhenReady()
    {
        fixture.Llm.Script = FakeReply.Echo;
        var team = await AppWithSuiteAsync();

        var (exit, output) = await RunAsync("--team", team, "--app", "support", "--wait", "--no-progress");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Matches(@"run \d+: gpt-4o-2024-05-13 \(answers\): gpt-4o-2024-05-13 → gpt-4o-2024-08-06: queued", output);
        Assert.Contains("completed", output, StringComparison.Ordinal);
        Assert.Contains("Verdict", output, StringComparison.Ordinal);
        Assert.Equal(4L, await fixture.ScalarAsync(
            "SELECT count(*) FROM regression_results x JOIN regression_runs r ON r.id = x.run_id JOIN apps a ON a.id = r.app_id JOIN teams t ON t.id = a.team_id WHERE t.name = $1", team));
    }

    [Fact]
    public async Task RunWithoutWaitOnlyQueues()
    {
        var team = await AppWithSuiteAsync();

        var (exit, _) = await RunAsync("--team", team, "--app", "support");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(1L, await fixture.ScalarAsync(
            "SELECT count(*) FROM regression_runs r JOIN apps a ON a.id = r.app_id JOIN teams t ON t.id = a.team_id WHERE t.name = $1 AND r.status = 'queued'", team));
    }

    [Fact]
    public async Task RunWithWaitExitsOneWhenTheCandidateRegresses()
    {
        fixture.Llm.Script = r => r.Model == "gpt-4o-2024-08-06" ? new FakeReply.Answer("no") : FakeReply.Echo(r);
        var team = await AppWithSuiteAsync();

        var (exit, output) = await RunAsync("--team", team, "--app", "support", "--wait", "--no-progress");

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("completed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownAppExitsOneWithoutQueueing()
    {
        var team = await AppWithSuiteAsync();

        var (exit, _) = await RunAsync("--team", team, "--app", "nope");

        Assert.Equal(ExitCodes.Failed, exit);
    }

    [Fact]
    public void RegressIsItsOwnVerbAndRunOnlyStartsTheService()
    {
        Assert.Equal(["--urls", "http://127.0.0.1:5000"], CommandLine.HostArguments(["run", "--urls", "http://127.0.0.1:5000"]));
        Assert.Empty(CommandLine.HostArguments(["regress", "--team", "t", "--app", "a"]));
        Assert.Contains(CommandLine.Verbs, v => v.Name == "regress");
    }
}
