using ModelMonitor.Sources.Extraction;

namespace ModelMonitor.Cli;

/// `monitor extract --provider P --file F`: what a saved page yields, as the JSON array of observations.
/// Offline and without a database, so it works on a laptop against a downloaded page.
internal static class ExtractVerb
{
    public static readonly IReadOnlySet<string> Options = new HashSet<string>(StringComparer.Ordinal) { "--provider", "--file" };

    public static async Task<int> RunAsync(VerbContext context)
    {
        var provider = context.Arguments.Require("--provider");
        var file = context.Arguments.Require("--file");
        var error = Console.Error;

        if (Extractors.Create(provider) is not { } extractor)
            throw new CliUsageException($"unknown provider '{provider}'; known providers: {string.Join(", ", Extractors.Names)}.");

        string content;
        try
        {
            content = await File.ReadAllTextAsync(file, context.CancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            await error.WriteLineAsync($"monitor extract: cannot read '{file}': {ex.Message}");
            return ExitCodes.DataError;
        }

        IReadOnlyList<Observation> observations;
        try
        {
            observations = extractor.Extract(content);
        }
        catch (ExtractionException ex)
        {
            await error.WriteLineAsync($"monitor extract: {provider} cannot read '{file}': {OneLine(ex.Message)}");
            return ExitCodes.DataError;
        }

        await context.Out.WriteLineAsync(Extractors.ToJson(observations));
        return ExitCodes.Ok;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
