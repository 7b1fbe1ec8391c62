using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ModelMonitor.Sources.GitHub;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Sources;

public sealed class GitHubClientTests
{
    [Fact]
    public async Task OctokitReadsAFileThroughTheLocalGitHubServer()
    {
        await using var github = await GitHubServer.StartAsync();
        github.AddFile("BerriAI/litellm", "model_prices_and_context_window.json", """{"gpt-4-0613": {"deprecation_date": "2025-06-06"}}""");
        await using var app = await MonitorApp.StartAsync(new Dictionary<string, string?>
        {
            ["GitHub:BaseUrl"] = github.BaseAddress.ToString(),
            ["GitHub:Token"] = "test-token-123",
        });
        var client = app.Services.GetRequiredService<GitHubClientFactory>().Create();

        var files = await client.Repository.Content.GetAllContentsByRef("BerriAI", "litellm", "model_prices_and_context_window.json", "main");
        var raw = await client.Repository.Content.GetRawContentByRef("BerriAI", "litellm", "model_prices_and_context_window.json", "main");

        var file = Assert.Single(files);
        Assert.Contains("\"deprecation_date\": \"2025-06-06\"", file.Content);
        Assert.Equal(GitHubServer.BlobSha(raw), file.Sha);
        Assert.Contains("2025-06-06", Encoding.UTF8.GetString(raw));
        var request = github.Requests[0];
        Assert.Equal("/repos/BerriAI/litellm/contents/model_prices_and_context_window.json", request.Path);
        Assert.Equal("?ref=main", request.Query);
        Assert.Equal("token test-token-123", request.Authorization, ignoreCase: true);
        Assert.StartsWith("Monitor/", request.UserAgent);
    }

    [Fact]
    public async Task AMissingFileIsOctokitsNotFound()
    {
        await using var github = await GitHubServer.StartAsync();
        await using var app = await MonitorApp.StartAsync(new Dictionary<string, string?> { ["GitHub:BaseUrl"] = github.BaseAddress.ToString() });
        var client = app.Services.GetRequiredService<GitHubClientFactory>().Create();

        await Assert.ThrowsAsync<Octokit.NotFoundException>(() =>
            client.Repository.Content.GetAllContentsByRef("MicrosoftDocs", "azure-ai-docs", "no/such/file.md", "main"));
        Assert.DoesNotContain(github.Requests, r => r.Authorization.Length > 0);
    }
}
