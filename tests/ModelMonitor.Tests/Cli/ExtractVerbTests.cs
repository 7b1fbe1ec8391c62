using System.Diagnostics;
using System.Text.Json;

namespace ModelMonitor.Tests.Cli;

/// Runs the built host as a process, as a user or CI would: `dotnet monitor.dll extract …`.
public sealed class ExtractVerbTests : IDisposable
{
    private static readonly string[] ContractFields =
    [
        "provider", "platform", "model", "version", "aliases", "status", "releasedOn", "deprecatedOn", "retiresOn",
        "retiresOnIsEstimate", "retiresOnPrecision", "replacements", "section", "evidence", "problems",
    ];

    // Our own page: one dated announcement with a Cohere-style table.
    private const string CoherePage = """
        ### 2024-12-02: Older rerankers

        | Shut-off date | Deprecated model | Suggested replacement |
        |---|---|---|
        | 2025-04-30 | `rerank-english-v2.0` | `rerank-v3.5` |
        """;

    private const string Registry = """
        { "gpt-4-0613": { "litellm_provider": "openai", "max_input_tokens": 8192, "input_cost_per_token": 3e-05,
                          "output_cost_per_token": 6e-05, "deprecation_date": "2025-06-06" } }
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("monitor-extract-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static async Task<(int ExitCode, string Out, string Error)> MonitorAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "monitor.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task ExtractPrintsTheObservationsAsAJsonArrayWithTheContractFields()
    {
        var (exit, output, error) = await MonitorAsync("extract", "--provider", "cohere", "--file", Write("deprecations.md", CoherePage));

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var observation = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(ContractFields, observation.EnumerateObject().Select(p => p.Name));
        Assert.Equal("rerank-english-v2.0", observation.GetProperty("model").GetString());
        Assert.Equal("deprecated", observation.GetProperty("status").GetString());
        Assert.Equal("2025-04-30", observation.GetProperty("retiresOn").GetString());
        Assert.Equal("2024-12-02", observation.GetProperty("deprecatedOn").GetString());
        Assert.Equal("day", observation.GetProperty("retiresOnPrecision").GetString());
        Assert.Equal(JsonValueKind.Null, observation.GetProperty("version").ValueKind);
        Assert.Equal(["rerank-v3.5"], observation.GetProperty("replacements").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task RegistryFactsFollowTheContractFields()
    {
        var (exit, output, error) = await MonitorAsync("extract", "--provider", "litellm", "--file", Write("registry.json", Registry));

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var observation = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal([.. ContractFields, "contextWindow", "inputCostPerMillionTokens", "outputCostPerMillionTokens"], observation.EnumerateObject().Select(p => p.Name));
        Assert.Equal(8192, observation.GetProperty("contextWindow").GetInt32());
        Assert.Equal(30m, observation.GetProperty("inputCostPerMillionTokens").GetDecimal());
        Assert.Equal("2025-06-06", observation.GetProperty("retiresOn").GetString());
    }

    [Fact]
    public async Task UnknownProviderExits64ListingTheKnownOnes()
    {
        var (exit, output, error) = await MonitorAsync("extract", "--provider", "acme", "--file", Write("page.md", CoherePage));

        Assert.Equal(64, exit);
        Assert.Empty(output);
        Assert.Contains("unknown provider 'acme'; known providers: ", error, StringComparison.Ordinal);
        Assert.Contains("cohere", error, StringComparison.Ordinal);
        Assert.Contains("litellm", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingFileExits65WithOneLine()
    {
        var missing = Path.Combine(_folder, "nowhere.md");
        var (exit, output, error) = await MonitorAsync("extract", "--provider", "cohere", "--file", missing);

        Assert.Equal(65, exit);
        Assert.Empty(output);
        Assert.StartsWith($"monitor extract: cannot read '{missing}': ", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task PageTheExtractorCannotReadExits65WithTheReason()
    {
        var (exit, output, error) = await MonitorAsync("extract", "--provider", "litellm", "--file", Write("page.md", CoherePage));

        Assert.Equal(65, exit);
        Assert.Empty(output);
        Assert.StartsWith("monitor extract: litellm cannot read ", error, StringComparison.Ordinal);
        Assert.Contains("not valid JSON at line 1, byte 1", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task MissingOptionIsAUsageError()
    {
        var (exit, _, error) = await MonitorAsync("extract", "--provider", "cohere");

        Assert.Equal(64, exit);
        Assert.Contains("--file is required.", error, StringComparison.Ordinal);
    }
}
