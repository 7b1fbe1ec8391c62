using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelMonitor.Regression;

/// The `eval --output` file: the suite's identity, the models, every result and the report.
/// A later `eval` with the same suite (by SHA-256 of its text) and models resumes from it.
public sealed record ResultsDocument(
    int Version,
    string Suite,
    string SuiteSha256,
    string? Description,
    string Baseline,
    string Candidate,
    DateTimeOffset WrittenAt,
    RunStop Stop,
    decimal SpentUsd,
    IReadOnlyList<CaseResult> Results,
    RegressionReport? Report)
{
    public const int CurrentVersion = 1;

    public bool Matches(Suite suite, ModelReference baseline, ModelReference candidate) =>
        Version == CurrentVersion && SuiteSha256 == suite.Sha256 && Baseline == baseline.ToString() && Candidate == candidate.ToString();
}

public static class ResultsFile
{
    public static async Task WriteAsync(string path, ResultsDocument document, CancellationToken cancellationToken)
    {
        // Write beside the target and move over it, so an interrupted write never leaves half a file.
        var full = Path.GetFullPath(path);
        var temp = full + ".tmp";
        await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, useAsync: true))
        {
            await using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            JsonSerializer.Serialize(writer, document, ResultsFileWriting.Default.ResultsDocument);
            await writer.FlushAsync(cancellationToken);
        }
        File.Move(temp, full, overwrite: true);
    }

    /// The document, or null with the reason when the file is absent or not a results file.
    public static async Task<(ResultsDocument? Document, string? Problem)> TryReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
            return (null, null);
        try
        {
            await using var stream = File.OpenRead(path);
            var document = await JsonSerializer.DeserializeAsync(stream, RegressionJson.Default.ResultsDocument, cancellationToken);
            return document is null ? (null, "is empty") : (document, null);
        }
        catch (JsonException ex)
        {
            return (null, $"is not a results file ({ex.Message})");
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ResultsDocument))]
[JsonSerializable(typeof(RegressionReport))]
[JsonSerializable(typeof(IReadOnlyList<AssertionResult>))]
internal sealed partial class RegressionJson : JsonSerializerContext;

/// Writes the results file with the generated serializer alone: a one-shot `eval` then builds no property
/// metadata (hundreds of generic instantiations the JIT would compile just before the process exits).
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(ResultsDocument))]
internal sealed partial class ResultsFileWriting : JsonSerializerContext;
