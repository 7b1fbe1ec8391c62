using System.Buffers;
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
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    // The writer's buffer is handed to the file at about this size, not grown to the whole file first.
    private const int FlushAt = 1 << 16;

    /// Writes the file; results that <paramref name="serialized"/> holds are copied as it serialized them.
    public static async Task WriteAsync(string path, ResultsDocument document, CancellationToken cancellationToken, SerializedResults? serialized = null)
    {
        // Write beside the target and move over it, so an interrupted write never leaves half a file.
        var full = Path.GetFullPath(path);
        var temp = full + ".tmp";
        await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            await using var writer = new Utf8JsonWriter(stream, Indented);
            Write(writer, document, serialized);
            await writer.FlushAsync(cancellationToken);
        }
        File.Move(temp, full, overwrite: true);
    }

    // The document as the serializer writes it (a test holds the two equal), with each result's JSON taken from
    // `serialized` where it is there.
    private static void Write(Utf8JsonWriter writer, ResultsDocument document, SerializedResults? serialized)
    {
        var types = ResultsFileWriting.Default;
        writer.WriteStartObject();
        writer.WriteNumber("version", document.Version);
        writer.WriteString("suite", document.Suite);
        writer.WriteString("suiteSha256", document.SuiteSha256);
        if (document.Description is not null)
            writer.WriteString("description", document.Description);
        writer.WriteString("baseline", document.Baseline);
        writer.WriteString("candidate", document.Candidate);
        writer.WriteString("writtenAt", document.WrittenAt);
        writer.WritePropertyName("stop");
        JsonSerializer.Serialize(writer, document.Stop, types.RunStop);
        writer.WriteNumber("spentUsd", document.SpentUsd);
        writer.WriteStartArray("results");
        foreach (var result in document.Results)
        {
            if (serialized?.Find(result) is { } json)
                writer.WriteRawValue(json, skipInputValidation: true);
            else
                JsonSerializer.Serialize(writer, result, types.CaseResult);
            if (writer.BytesPending >= FlushAt)
                writer.Flush();
        }
        writer.WriteEndArray();
        if (document.Report is not null)
        {
            writer.WritePropertyName("report");
            JsonSerializer.Serialize(writer, document.Report, types.RegressionReport);
        }
        writer.WriteEndObject();
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
[JsonSerializable(typeof(CaseResult))]
[JsonSerializable(typeof(RegressionReport))]
[JsonSerializable(typeof(RunStop))]
internal sealed partial class ResultsFileWriting : JsonSerializerContext;

/// Each result's JSON for the results file, serialized as the result arrives (pass <see cref="AddAsync"/> as
/// <see cref="RunRequest.OnResult"/>), while the run waits on the models; the file is then written at the end of
/// the run by copying bytes, not by serializing thousands of results while the user waits.
public sealed class SerializedResults
{
    private readonly Dictionary<CaseResult, byte[]> _json = new(ReferenceEqualityComparer.Instance);
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    /// Called one result at a time (the runner's contract for OnResult).
    public ValueTask AddAsync(CaseResult result, CancellationToken cancellationToken)
    {
        _buffer.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Indented = true, SkipValidation = true });
        // A result sits two levels deep in the file (the document, its results array). Inside two opened arrays the
        // writer indents it as it would there, with the line break before it that it would write there too.
        writer.WriteStartArray();
        writer.WriteStartArray();
        writer.Flush();
        var start = _buffer.WrittenCount;
        JsonSerializer.Serialize(writer, result, ResultsFileWriting.Default.CaseResult);
        writer.Flush();
        _json[result] = _buffer.WrittenSpan[start..].ToArray();
        return ValueTask.CompletedTask;
    }

    internal byte[]? Find(CaseResult result) => _json.GetValueOrDefault(result);
}
