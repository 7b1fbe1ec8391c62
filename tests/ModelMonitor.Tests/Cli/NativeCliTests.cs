using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ModelMonitor.Catalog;
using ModelMonitor.Cli;
using ModelMonitor.Regression;
using ModelMonitor.Storage;
using ModelMonitor.Tests.Fixtures;
using Npgsql;

namespace ModelMonitor.Tests.Cli;

/// The native command-line build (`dotnet publish src/ModelMonitor -r linux-x64 -p:MonitorCli=true`), run as a CI
/// step would run it, against the full build on the same inputs. .ci/run publishes it and names it in
/// MONITOR_NATIVE_CLI; without that variable these tests are skipped.
public sealed class NativeCliTests : IAsyncLifetime
{
    private EvalWorkspace _work = null!;

    public async Task InitializeAsync() => _work = await EvalWorkspace.StartAsync();

    public Task DisposeAsync() => _work.DisposeAsync().AsTask();

    // The shared cases, and two whose assertions (regex, is-json) the native build must evaluate the same way too.
    private const string Suite = EvalWorkspace.GreetingSuite + """
          - vars: { q: 'good evening' }
            assert: [ { type: icontains, value: evening }, { type: regex, value: '^ANSWER: ' } ]
          - vars: { q: 'good night' }
            assert: [ { type: is-json } ]
        """;

    private Dictionary<string, string?> Settings(params (string Key, string Value)[] more)
    {
        // No catalog: this is `eval` as a CI step runs it, with prices from configuration only.
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Monitor"] = "",
            ["Endpoints__local__Kind"] = "openai",
            ["Endpoints__local__BaseUrl"] = _work.Server.OpenAIBaseUrl,
            ["Endpoints__local__ApiKey"] = "sk-native-cli-test-key",
        };
        foreach (var (key, value) in more)
            settings[key] = value;
        return settings;
    }

    private static Task<MonitorProcess.Result> NativeAsync(IDictionary<string, string?> settings, params string[] args) =>
        MonitorProcess.RunAsync(args, settings, executable: NativeCliFactAttribute.Executable);

    [NativeCliFact]
    public async Task EvalGivesTheSameResultsAndVerdictAsTheFullBuild()
    {
        _work.Server.Script = r => r.Model == "new" && r.User == "hello" ? new FakeReply.Answer("I am not sure.") : FakeReply.Echo(r);
        var suite = _work.Write("suite.yaml", Suite);
        string[] Args(string output) => ["eval", "--suite", suite, "--baseline", "local:old", "--candidate", "local:new", "--output", output, "--no-progress"];

        var full = await MonitorProcess.RunAsync(Args(_work.PathOf("full.json")), Settings());
        var native = await NativeAsync(Settings(), Args(_work.PathOf("native.json")));

        Assert.Equal(ExitCodes.Failed, full.ExitCode);
        Assert.Equal(full.ExitCode, native.ExitCode);
        Assert.Contains("Verdict     NEEDS REVIEW", native.Stdout, StringComparison.Ordinal);
        Assert.Contains("candidate: I am not sure.", native.Stdout, StringComparison.Ordinal);
        Assert.Equal(16, _work.Server.Requests.Count);
        Assert.All(_work.Server.Requests, r => Assert.Equal(0, r.Temperature));

        var expected = (await ResultsFile.TryReadAsync(_work.PathOf("full.json"), default)).Document!;
        var actual = (await ResultsFile.TryReadAsync(_work.PathOf("native.json"), default)).Document!;
        Assert.Equal(Outcomes(expected), Outcomes(actual));
        Assert.Equal(expected.Report!.Verdict, actual.Report!.Verdict);
        Assert.Equal(expected.Report.Regressions.Select(r => r.CaseId), actual.Report.Regressions.Select(r => r.CaseId));
        Assert.Equal(expected.SuiteSha256, actual.SuiteSha256);

        static List<string> Outcomes(ResultsDocument document) =>
        [
            .. document.Results.OrderBy(r => r.CaseId, StringComparer.Ordinal).ThenBy(r => r.Side)
                .Select(r => $"{r.CaseId} {r.Side} {r.Model} {r.Status} {r.Output} {r.InputTokens}/{r.OutputTokens} "
                    + string.Join(",", r.Assertions.Select(a => $"{a.Type}:{a.Pass}"))),
        ];
    }

    [NativeCliFact]
    public async Task PricesComeFromTheCatalogWhenADatabaseIsConfigured()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("native_cli_prices");
        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        await using (var db = new MonitorDb(new DbContextOptionsBuilder<MonitorDb>().UseNpgsql(dataSource).UseSnakeCaseNamingConvention().Options))
        {
            db.ModelVersions.AddRange(Priced("old", 2.5m, 10m), Priced("new", 0.4m, 1.6m));
            await db.SaveChangesAsync();
        }
        var suite = _work.Write("suite.yaml", Suite);
        string[] Args(string output) => ["eval", "--suite", suite, "--baseline", "local:old", "--candidate", "local:new", "--output", output, "--no-progress"];
        var settings = Settings(("ConnectionStrings__Monitor", connectionString));

        await MonitorProcess.RunAsync(Args(_work.PathOf("full.json")), settings);
        var native = await NativeAsync(settings, Args(_work.PathOf("native.json")));

        var expected = (await ResultsFile.TryReadAsync(_work.PathOf("full.json"), default)).Document!;
        var actual = (await ResultsFile.TryReadAsync(_work.PathOf("native.json"), default)).Document!;
        Assert.True(expected.SpentUsd > 0);
        Assert.Equal(expected.SpentUsd, actual.SpentUsd);
        Assert.Equal(expected.Report!.CostChange, actual.Report!.CostChange);
        Assert.Equal(expected.Report.Candidate.CostPerCaseUsd, actual.Report.Candidate.CostPerCaseUsd);
        Assert.DoesNotContain("(no price)", native.Stdout, StringComparison.Ordinal);

        static ModelVersion Priced(string model, decimal input, decimal output)
        {
            var version = Pins.PinsFixture.Version("openai", model, LifecycleStatus.Active);
            version.InputCostPerMillionTokens = input;
            version.OutputCostPerMillionTokens = output;
            return version;
        }
    }

    [NativeCliFact]
    public async Task EndpointSettingsAreBoundFromTheEnvironment()
    {
        _work.Server.Script = r => FakeReply.Echo(r) is FakeReply.Answer a ? a with { Delay = TimeSpan.FromMilliseconds(20) } : FakeReply.Echo(r);
        var suite = _work.Write("suite.yaml", Suite);

        var result = await NativeAsync(Settings(("Endpoints__local__MaxConcurrency", "1")),
            "eval", "--suite", suite, "--baseline", "local:old", "--candidate", "local:new", "--concurrency", "8", "--no-progress");

        Assert.Equal(8, _work.Server.Requests.Count);
        Assert.Equal(1, _work.Server.MaxInFlight);
        Assert.DoesNotContain("sk-native-cli-test-key", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [NativeCliFact]
    public async Task ABadSettingOrABrokenSuiteStopsBeforeAnyModelIsCalled()
    {
        var suite = _work.Write("suite.yaml", Suite);
        var broken = _work.Write("broken.yaml", "prompts: ['x']\ntests:\n  - assert: [ { type: javascript } ]\n");
        string[] args = ["eval", "--suite", suite, "--baseline", "local:old", "--candidate", "local:new", "--no-progress"];

        var badSetting = await NativeAsync(Settings(("Regression__Retry__MaxAttempts", "99")), args);
        var badSuite = await NativeAsync(Settings(), ["eval", "--suite", broken, .. args[3..]]);

        Assert.Equal(ExitCodes.Config, badSetting.ExitCode);
        Assert.Contains("Regression:Retry:MaxAttempts", badSetting.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.DataError, badSuite.ExitCode);
        Assert.Contains("javascript", badSuite.Stderr, StringComparison.Ordinal);
        Assert.Empty(_work.Server.Requests);
    }

    [NativeCliFact]
    public async Task AnAnthropicEndpointIsRefusedWithWhereToRunIt()
    {
        var suite = _work.Write("suite.yaml", Suite);

        var result = await NativeAsync(Settings(("Endpoints__claude__Kind", "anthropic"), ("Endpoints__claude__BaseUrl", _work.Server.BaseUrl)),
            "eval", "--suite", suite, "--baseline", "claude:old", "--candidate", "local:new", "--no-progress");

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("Anthropic endpoint", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("full build", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(_work.Server.Requests);
    }

    [NativeCliFact]
    public async Task ExtractPrintsExactlyWhatTheFullBuildPrints()
    {
        var page = _work.Write("cohere.md", """
            ### 2024-12-02: Older rerankers

            | Shut-off date | Deprecated model | Suggested replacement |
            |---|---|---|
            | 2025-04-30 | `rerank-english-v2.0` | `rerank-v3.5` |
            """);
        string[] args = ["extract", "--provider", "cohere", "--file", page];

        var full = await MonitorProcess.RunAsync(args);
        var native = await NativeAsync(Settings(), args);

        Assert.Equal(ExitCodes.Ok, native.ExitCode);
        Assert.Equal(full.Stdout, native.Stdout);
        using var json = JsonDocument.Parse(native.Stdout);
        Assert.Equal("2025-04-30", json.RootElement[0].GetProperty("retiresOn").GetString());
    }

    [NativeCliFact]
    public async Task TheServiceAndItsDatabaseVerbsAreNotInThisBuild()
    {
        var none = await NativeAsync(Settings());
        var migrate = await NativeAsync(Settings(), "migrate");
        var help = await NativeAsync(Settings(), "--help");

        Assert.Equal(ExitCodes.Usage, none.ExitCode);
        Assert.Contains("no verb given", none.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, migrate.ExitCode);
        Assert.Contains("'migrate' is not a verb of this build", migrate.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, help.ExitCode);
        Assert.Contains("eval --suite", help.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("migrate", help.Stdout, StringComparison.Ordinal);
    }
}

/// A fact that runs the native command-line build named by MONITOR_NATIVE_CLI; skipped, with how to build it, without.
public sealed class NativeCliFactAttribute : FactAttribute
{
    public static string? Executable => Environment.GetEnvironmentVariable("MONITOR_NATIVE_CLI") is { Length: > 0 } path ? path : null;

    public NativeCliFactAttribute()
    {
        if (Executable is null)
            Skip = "MONITOR_NATIVE_CLI is not set: publish the native build (dotnet publish src/ModelMonitor -c Release -r linux-x64 "
                + "-p:MonitorCli=true -o DIR) and set it to DIR/monitor; .ci/run does both.";
    }
}
