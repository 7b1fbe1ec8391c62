using System.Text.Json;
using AngleSharp.Html.Parser;
using Markdig;
using ModelMonitor.Sources.Extraction;

namespace ModelMonitor.Bench;

/// Per saved page: the extractor's time against the bare parse of the same text by the library the page
/// needs (AngleSharp for HTML, Markdig for Markdown/MDX, System.Text.Json for JSON). Target: ≤ 2×.
/// Pages whose provider has no built-in extractor are timed through PageDocument (the shared core) instead.
internal static class ExtractBench
{
    private const double Target = 2.0;

    // Saved page path prefix → provider name of the extractor that reads it.
    private static readonly (string Prefix, string Provider)[] Providers =
    [
        ("openai/", "openai"),
        ("anthropic/", "anthropic"),
        ("google/vertex-", "google-vertex"),
        ("google/gemini-", "google-gemini"),
        ("azure-openai/", "azure-openai"),
        ("aws-bedrock/", "aws-bedrock"),
        ("mistral/", "mistral"),
        ("cohere/", "cohere"),
        ("changelogs/cohere-", "cohere"),
        ("changelogs/anthropic-sdk-", "anthropic-sdk"),
        ("litellm/", "litellm"),
    ];

    private static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().UsePipeTables().Build();

    public static int Run(BenchOptions options)
    {
        options.RejectUnknown("--pages", "--runs", "--filter");
        var root = options.Get("--pages") ?? DefaultPages();
        if (root is null || !Directory.Exists(root))
        {
            Console.Error.WriteLine($"extract: saved pages not found at '{root ?? "../shared/fixtures/pages"}'; pass --pages DIR or set MONITOR_SAVED_PAGES.");
            return 66;
        }
        var runs = options.GetInt("--runs", 15, 3, 1001);
        var filter = options.Get("--filter");

        var pages = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
            .Where(path => path.Contains('/', StringComparison.Ordinal) && (filter is null || path.Contains(filter, StringComparison.OrdinalIgnoreCase)))
            .Order(StringComparer.Ordinal)
            .ToList();

        Console.WriteLine($"extract: {pages.Count} pages from {Path.GetFullPath(root)}; median of {runs} samples after warm-up, {Clock.Name}; target ≤ {Target:0}× the bare parse");
        Console.WriteLine();
        Console.WriteLine($"{"page",-58} {"KB",6}  {"reader",-12} {"extract",10} {"bare",10} {"bare parser",-16} {"ratio",6} {"core",10}  rows");
        var within = 0;
        var timed = 0;
        foreach (var page in pages)
        {
            var content = File.ReadAllText(Path.Combine(root, page));
            var (bareName, bare) = BareParse(page, content);
            var provider = Providers.FirstOrDefault(p => page.StartsWith(p.Prefix, StringComparison.Ordinal)).Provider;
            var extractor = provider is null ? null : Extractors.Create(provider);

            Action extract;
            Action? core = null;
            string reader;
            string rows;
            string? failure = null;
            if (extractor is not null)
            {
                try
                {
                    _ = extractor.Extract(content);
                }
                catch (ExtractionException ex)
                {
                    failure = ex.Message;
                    extractor = null;
                }
            }
            if (extractor is not null)
            {
                rows = extractor.Extract(content).Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                extract = () => extractor.Extract(content);
                // How much of the extraction is the shared core's reading of the page (not for JSON registries).
                if (bareName != "System.Text.Json")
                    core = () => PageDocument.Parse(content);
                reader = provider!;
            }
            else
            {
                // No extractor on this branch for the page: time the shared core that every extractor starts with.
                rows = PageDocument.Parse(content).Blocks.Count + " blocks" + (failure is null ? "" : $" ({provider} extractor: {failure})");
                extract = () => PageDocument.Parse(content);
                reader = "core only";
            }

            var (medians, ratio) = core is null ? Harness.Compare(runs, extract, bare) : Harness.Compare(runs, extract, bare, core);
            timed++;
            if (ratio <= Target)
                within++;
            var coreText = core is null ? "" : Harness.Format(medians[2]);
            Console.WriteLine(
                $"{page,-58} {content.Length / 1024.0,6:0.0}  {reader,-12} {Harness.Format(medians[0]),10} {Harness.Format(medians[1]),10} {bareName,-16} {ratio,5:0.00}× {coreText,10}  {rows}{(ratio > Target ? "  over target" : "")}");
        }
        Console.WriteLine();
        Console.WriteLine($"{within} of {timed} pages within {Target:0}× of the bare parse.");
        return 0;
    }

    private static (string Name, Action Parse) BareParse(string page, string content)
    {
        if (page.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return ("System.Text.Json", () => JsonDocument.Parse(content).Dispose());
        if (PageDocument.DetectFormat(PageDocument.StripFrontMatter(content)) == PageFormat.Html)
            return ("AngleSharp", () => new HtmlParser().ParseDocument(content));
        return ("Markdig", () => Markdig.Markdown.Parse(content, Markdown));
    }

    // As the tests' SavedPages does: MONITOR_SAVED_PAGES, else ../shared/fixtures/pages beside the repository root.
    private static string? DefaultPages()
    {
        if (Environment.GetEnvironmentVariable("MONITOR_SAVED_PAGES") is { Length: > 0 } configured)
            return configured;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Monitor.sln")))
                    return Path.Combine(dir.Parent?.FullName ?? dir.FullName, "shared", "fixtures", "pages");
            }
        }
        return null;
    }
}
