using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelMonitor.Sources;
using ModelMonitor.Tests.Fixtures;
using Quartz;

namespace ModelMonitor.Tests.Sources;

public sealed class SourcesConfigurationTests
{
    [Fact]
    public async Task TheShippedSettingsHaveASourceForEveryProvider()
    {
        await using var app = await MonitorApp.StartAsync();

        var sources = app.Services.GetRequiredService<IOptions<SourcesOptions>>().Value.Sources;

        Assert.Equal(
            ["anthropic", "aws-bedrock", "azure-openai", "bedrock-api", "cohere", "google-gemini", "google-vertex", "litellm", "mistral", "openai", "openai-api"],
            sources.Keys.Order(StringComparer.Ordinal));
        Assert.All(sources.Values.Where(s => s.Name is not ("openai-api" or "bedrock-api")), s => Assert.Equal(s.Name, s.Provider));
        var azure = sources["azure-openai"];
        Assert.Equal((SourceKinds.GitHubFile, "MicrosoftDocs/azure-ai-docs", "articles/ai-foundry/openai/includes/retirement/models.md"), (azure.Kind, azure.Repository, azure.Path));
        Assert.Equal(SourceAuthority.Registry, sources["litellm"].AuthorityValue);
        Assert.Equal(SourceAuthority.ProviderApi, sources["openai-api"].AuthorityValue);
        Assert.Equal((SourceAuthority.ProviderApi, "https://bedrock.us-east-1.amazonaws.com/foundation-models"), (sources["bedrock-api"].AuthorityValue, sources["bedrock-api"].DisplayUrl));
        Assert.Equal(SourceDefinition.DefaultMaxBytes, sources["openai"].MaxBytes);
        Assert.Equal(30, sources["openai"].TimeoutSeconds);
    }

    [Theory]
    [InlineData("Kind", "rss", "Sources:openai:Kind must be one of page, github-file, declarative, openai-api, bedrock-api, not 'rss'.")]
    [InlineData("Region", "virginia", "Sources:openai:Region must be an AWS region such as us-east-1, not 'virginia'.")]
    [InlineData("Url", "ftp://example.com/page", "Sources:openai:Url must be an absolute http(s) URL, not 'ftp://example.com/page'.")]
    [InlineData("Schedule", "every six hours", "Sources:openai:Schedule is not a valid Quartz cron expression: 'every six hours'.")]
    [InlineData("Provider", "acme", "Sources:openai:Provider 'acme' has no built-in extractor")]
    [InlineData("MaxBytes", "10", "Sources:openai:MaxBytes must be from 1024 to 209715200, not 10.")]
    [InlineData("TimeoutSeconds", "0", "Sources:openai:TimeoutSeconds must be from 1 to 600, not 0.")]
    [InlineData("AllowedHosts:0", "https://openai.com/", "Sources:openai:AllowedHosts:0 must be a host name such as docs.example.com or *.example.com")]
    [InlineData("Authority", "gospel", "Sources:openai:Authority must be provider-page, provider-api or registry, not 'gospel'.")]
    public void ABadSourceSettingIsNamedInTheError(string key, string value, string expected)
    {
        var source = new SourceDefinition { Name = "openai", Provider = "openai", Kind = "page", Url = "https://platform.openai.com/docs/deprecations" };
        var options = new SourcesOptions();
        options.Sources["openai"] = source;
        switch (key)
        {
            case "Kind": source.Kind = value; break;
            case "Url": source.Url = value; break;
            case "Schedule": source.Schedule = value; break;
            case "Provider": source.Provider = value; break;
            case "MaxBytes": source.MaxBytes = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "TimeoutSeconds": source.TimeoutSeconds = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "AllowedHosts:0": source.AllowedHosts.Add(value); break;
            case "Authority": source.Authority = value; break;
            case "Region": source.Kind = SourceKinds.BedrockApi; source.Region = value; break;
        }

        var result = new SourcesOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void AGitHubFileSourceNeedsOwnerSlashName()
    {
        var options = new SourcesOptions();
        options.Sources["docs"] = new SourceDefinition { Name = "docs", Provider = "azure-openai", Kind = "github-file", Repository = "azure-ai-docs", Path = "" };

        var result = new SourcesOptionsValidator().Validate(null, options);

        Assert.Equal(
            ["Sources:docs:Repository must be 'owner/name', not 'azure-ai-docs'.", "Sources:docs:Path is required: the file's path in the repository."],
            result.Failures!);
    }

    [Fact]
    public async Task AnInvalidSourceStopsTheServiceWithALineNamingIt()
    {
        var result = await MonitorProcess.RunAsync(["run"], new Dictionary<string, string?>
        {
            ["Sources__cohere__Url"] = "not a url",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        });

        Assert.Equal(78, result.ExitCode);
        Assert.Contains("monitor: configuration error: Sources:cohere:Url must be an absolute http(s) URL, not 'not a url'.", result.Stderr);
    }

    [Fact]
    public async Task EachActiveSourceHasItsOwnCrawlTriggerWithItsCron()
    {
        await using var app = await MonitorApp.StartAsync(new Dictionary<string, string?>
        {
            ["Scheduling:Enabled"] = "true",
            ["Sources:cohere:Schedule"] = "0 30 2 * * ?",
            ["Sources:mistral:Enabled"] = "false",
        });
        var scheduler = await app.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        // The hosted service syncs the triggers before it starts the scheduler.
        while (await scheduler.GetStatus() != SchedulerStatus.Running)
            await Task.Delay(20);

        var triggers = await scheduler.GetTriggersOfJob(new JobKey("crawl", "monitor"));

        Assert.Equal(
            ["crawl-anthropic", "crawl-aws-bedrock", "crawl-azure-openai", "crawl-cohere", "crawl-google-gemini", "crawl-google-vertex", "crawl-litellm", "crawl-openai"],
            triggers.Select(t => t.Key.Name).Order(StringComparer.Ordinal));
        var cohere = (ICronTrigger)triggers.Single(t => t.Key.Name == "crawl-cohere");
        Assert.Equal(("0 30 2 * * ?", "cohere"), (cohere.CronExpressionString, cohere.JobDataMap.GetString("source")));
        Assert.Equal("0 0 0/6 * * ?", ((ICronTrigger)triggers.Single(t => t.Key.Name == "crawl-openai")).CronExpressionString);
        Assert.Contains(await scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.GroupEquals("monitor")), k => k.Name == "retirements");
    }
}
