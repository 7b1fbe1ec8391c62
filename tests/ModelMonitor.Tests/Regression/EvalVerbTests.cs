using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using ModelMonitor.Cli;
using ModelMonitor.Regression;
using ModelMonitor.Storage;
using Npgsql;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Regression;

public sealed class EvalVerbTests : IAsyncLifetime
{
    private EvalWorkspace _work = null!;

    public async Task InitializeAsync() => _work = await EvalWorkspace.StartAsync();

    public Task DisposeAsync() => _work.DisposeAsync().AsTask();

    private Task<(int Exit, string Out)> EvalAsync(params string[] args) => EvalWithCatalogAsync(null, args);

    private async Task<(int Exit, string Out)> EvalWithCatalogAsync(string? connectionString, params string[] args)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Endpoints:local:Kind"] = "openai",
            ["Endpoints:local:BaseUrl"] = _work.Server.OpenAIBaseUrl,
            ["ConnectionStrings:Monitor"] = connectionString ?? "",
        });
        builder.AddStorage();
        builder.AddRegression();
        await using var app = builder.Build();
        using var output = new StringWriter();
        var exit = await EvalVerb.RunAsync(new VerbContext(app.Services, new CliArguments(args, EvalVerb.Flags, EvalVerb.Options), output, default));
        return (exit, output.ToString());
    }

    private const string Suite = EvalWorkspace.GreetingSuite;

    [Fact]
    public async Task ABrokenSuiteExits65BeforeAnyModelIsCalled()
    {
        var suite = _work.Write("broken.yaml", "prompts: ['x']\ntests:\n  - assert: [ { type: javascript } ]\n");

        var (exit, _) = await EvalAsync("--suite", suite, "--baseline", "local:old", "--candidate", "local:new", "--no-progress");

        Assert.Equal(ExitCodes.DataError, exit);
        Assert.Empty(_work.Server.Requests);
    }

    [Fact]
    public async Task AReadyCandidateExits0AndTheOutputFileLetsTheNextRunResume()
    {
        var suite = _work.Write("suite.yaml", Suite);
        var results = _work.PathOf("results.json");

        var (exit, stdout) = await EvalAsync("--suite", suite, "--baseline", "local:old", "--candidate", "local:new", "--output", results, "--no-progress");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("Verdict     READY", stdout, StringComparison.Ordinal);
        Assert.Contains("too few cases for significance", stdout, StringComparison.Ordinal);
        var (document, problem) = await ResultsFile.TryReadAsync(results, default);
        Assert.Null(problem);
        Assert.Equal(4, document!.Results.Count);
        Assert.Equal(Readiness.Ready, document.Report!.Verdict);

        var (again, _) = await EvalAsync("--suite", suite, "--baseline", "local:old", "--candidate", "local:new", "--output", results, "--no-progress");

        Assert.Equal(ExitCodes.Ok, again);
        Assert.Equal(4, _work.Server.Requests.Count);
    }

    [Fact]
    public async Task ARegressedCandidateExits1AndListsTheRegressionWithBothOutputs()
    {
        _work.Server.Script = r => r.Model == "new" && r.User == "hello" ? new FakeReply.Answer("I am not sure.") : FakeReply.Echo(r);
        var suite = _work.Write("suite.yaml", Suite);

        var (exit, stdout) = await EvalAsync("--suite", suite, "--baseline", "local:old", "--candidate", "local:new", "--no-progress");

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("Regressions 1;", stdout, StringComparison.Ordinal);
        Assert.Contains("baseline:  ANSWER: HELLO", stdout, StringComparison.Ordinal);
        Assert.Contains("candidate: I am not sure.", stdout, StringComparison.Ordinal);
        Assert.Contains("Verdict     NEEDS REVIEW", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegressionsBeyondTheTenShownSayWhereTheRestAre()
    {
        _work.Server.Script = r => r.Model == "new" ? new FakeReply.Answer("I am not sure.") : FakeReply.Echo(r);
        var cases = string.Concat(Enumerable.Range(1, 12).Select(i => $"  - vars: {{ q: 'case {i}' }}\n    assert: [ {{ type: contains, value: CASE }} ]\n"));
        var suite = _work.Write("twelve.yaml", $"prompts: ['{{{{q}}}}']\ntests:\n{cases}");
        var results = _work.PathOf("twelve.json");

        var (_, withoutFile) = await EvalAsync("--suite", suite, "--baseline", "local:old", "--candidate", "local:new", "--no-progress");
        var (_, withFile) = await EvalAsync("--suite", suite, "--baseline", "local:old", "--candidate", "local:new", "--output", results, "--no-progress");

        Assert.Contains("Regressions 12;", withoutFile, StringComparison.Ordinal);
        Assert.Contains("  … and 2 more (--output FILE keeps them all)", withoutFile, StringComparison.Ordinal);
        Assert.Contains($"  … and 2 more (all in {results})", withFile, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACatalogThatCannotBeReadIsTriedOnceAndTheRunGoesOnWithoutPrices()
    {
        // A "database" that accepts connections and hangs up: each attempt to read prices is one accepted connection.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var attempts = 0;
        var accepting = Task.Run(async () =>
        {
            while (true)
            {
                using var socket = await listener.AcceptSocketAsync();
                Interlocked.Increment(ref attempts);
            }
        });
        var connectionString = $"Host=127.0.0.1;Port={((IPEndPoint)listener.LocalEndpoint).Port};Database=monitor;Username=postgres;Timeout=5";
        // How many connections one failed open makes (the client may try more than once).
        await using (var probe = new NpgsqlConnection(connectionString))
            await Assert.ThrowsAsync<NpgsqlException>(() => probe.OpenAsync());
        var perOpen = Interlocked.Exchange(ref attempts, 0);
        var suite = _work.Write("suite.yaml", Suite);

        var (exit, stdout) = await EvalWithCatalogAsync(connectionString,
            "--suite", suite, "--baseline", "local:old", "--candidate", "local:new", "--no-progress");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("(no price)", stdout, StringComparison.Ordinal);
        // Two models, priced before the run and again for the verdict: the catalog was tried once.
        Assert.Equal(perOpen, Volatile.Read(ref attempts));
        Assert.Equal(4, _work.Server.Requests.Count);
        listener.Stop();
        await Assert.ThrowsAnyAsync<Exception>(() => accepting);
    }

    [Fact]
    public async Task AModelWithoutEndpointPrefixIsAUsageError() =>
        await Assert.ThrowsAsync<CliUsageException>(() => EvalAsync("--suite", "x.yaml", "--baseline", "gpt-4o", "--candidate", "local:new"));
}
