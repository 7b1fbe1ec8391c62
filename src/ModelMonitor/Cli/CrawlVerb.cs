using Microsoft.Extensions.Options;
using ModelMonitor.Sources;

namespace ModelMonitor.Cli;

internal static class CrawlVerb
{
    public static async Task<int> RunAsync(VerbContext context)
    {
        var name = context.Arguments.Get("--source");
        var file = context.Arguments.Get("--file");
        var force = context.Arguments.Has("--force");
        if (file is not null && name is null)
            throw new CliUsageException("--file needs --source: the file is read as that source's page.");
        if (file is not null && !File.Exists(file))
            throw new CliUsageException($"--file '{file}' does not exist.");

        var sources = context.Services.GetRequiredService<IOptions<SourcesOptions>>().Value;
        if (name is not null && sources.Find(name) is null)
            throw new CliUsageException($"no source named '{name}' (configured: {string.Join(", ", sources.Sources.Keys.Order())}).");

        await using var scope = context.Services.CreateAsyncScope();
        var crawler = scope.ServiceProvider.GetRequiredService<Crawler>();
        IReadOnlyList<CrawlResult> results = name is null
            ? await crawler.CrawlAllAsync(context.CancellationToken)
            : [await crawler.CrawlAsync(name, file, force, context.CancellationToken)];

        if (results.Count == 0)
            await context.Out.WriteLineAsync("No source is enabled (see Sources in appsettings.json).");
        foreach (var result in results)
            await context.Out.WriteLineAsync(result.ToString());
        return results.All(r => r.Succeeded || r.Outcome == CrawlOutcome.Skipped) ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
