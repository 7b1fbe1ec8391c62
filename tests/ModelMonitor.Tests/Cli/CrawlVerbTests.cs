using Microsoft.EntityFrameworkCore;
using ModelMonitor.Tests.Fixtures;
using ModelMonitor.Tests.Sources;
using Npgsql;

namespace ModelMonitor.Tests.Cli;

public sealed class CrawlVerbTests
{
    [Fact]
    public async Task CrawlWithAFileImportsItAsThatSourcesPageAndPrintsOneLine()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        var file = Path.Combine(Path.GetTempPath(), $"monitor-crawl-{Guid.NewGuid():N}.md");
        await File.WriteAllTextAsync(file, CrawlTests.PageV1);
        try
        {
            var result = await MonitorProcess.RunAsync(["crawl", "--source", "sample", "--file", file], Environment(database));

            Assert.Equal(0, result.ExitCode);
            Assert.Equal("sample: applied, 4 rows; 4 model versions added, 0 updated, 12 change events", result.Stdout.Trim());
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM model_versions WHERE provider = 'cohere'", connection);
            Assert.Equal(4L, await command.ExecuteScalarAsync());

            var again = await MonitorProcess.RunAsync(["crawl", "--source", "sample", "--file", file], Environment(database));

            Assert.Equal("sample: unchanged, same content as last applied", again.Stdout.Trim());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task AFileWithoutASourceIsAUsageError()
    {
        var result = await MonitorProcess.RunAsync(["crawl", "--file", "page.md"], Environment(await PostgresServer.CreateDatabaseAsync()));

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("monitor crawl: --file needs --source: the file is read as that source's page.", result.Stderr);
    }

    [Fact]
    public async Task AnUnknownSourceIsAUsageErrorListingTheConfiguredOnes()
    {
        var result = await MonitorProcess.RunAsync(["crawl", "--source", "nope"], Environment(await PostgresServer.CreateDatabaseAsync()));

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("no source named 'nope' (configured: anthropic, aws-bedrock, azure-openai, bedrock-api, cohere,", result.Stderr);
    }

    [Fact]
    public async Task AFailedCrawlExitsNonZeroWithTheReason()
    {
        await using var server = await PageServer.StartAsync();
        var database = await PostgresServer.CreateDatabaseAsync();
        var environment = Environment(database);
        environment["Sources__sample__Url"] = server.Url("/missing");

        var result = await MonitorProcess.RunAsync(["crawl", "--source", "sample"], environment);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("sample: failed, HTTP 404 Not Found", result.Stdout.Trim());
    }

    private static Dictionary<string, string?> Environment(string database) => new()
    {
        ["ConnectionStrings__Monitor"] = database,
        ["Scheduling__Enabled"] = "false",
        ["Sources__sample__Provider"] = "cohere",
        ["Sources__sample__Kind"] = "page",
        ["Sources__sample__Url"] = "http://127.0.0.1:9/never-fetched",
    };
}
