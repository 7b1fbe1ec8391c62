using System.Globalization;
using System.Text.Json;
using ModelMonitor.Sources.Extraction;

namespace ModelMonitor.Sources;

/// What the providers' model APIs (OpenAI /v1/models, Bedrock ListFoundationModels) have in common: a JSON object
/// holding an array of models, and dates as Unix seconds or ISO 8601 text.
internal static class ModelsApiJson
{
    /// The parsed response and its top-level array <paramref name="arrayName"/>; an ExtractionException naming the
    /// API when the text is not JSON or has no such array.
    public static JsonDocument Parse(string content, string api, string arrayName, out JsonElement array)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(content);
        }
        catch (JsonException ex)
        {
            throw new ExtractionException($"{api} response is not valid JSON: {ex.Message}");
        }
        if (document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty(arrayName, out array) && array.ValueKind == JsonValueKind.Array)
            return document;
        document.Dispose();
        throw new ExtractionException($"{api} response has no '{arrayName}' array.");
    }

    /// Unix seconds (whole or fractional) or ISO 8601 text (a date, or an instant taken as its UTC day). Outside
    /// 2000–2100 a value is a typo, not a lifecycle date: a problem, as on the pages.
    public static DateOnly? ReadDate(JsonElement owner, string name, List<string> problems)
    {
        if (owner.ValueKind != JsonValueKind.Object || !owner.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        DateOnly? date = value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetDouble(out var seconds) && seconds is > 0 and < 1e11 =>
                DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)).UtcDateTime),
            JsonValueKind.String when DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) => day,
            JsonValueKind.String when DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) =>
                DateOnly.FromDateTime(instant.UtcDateTime),
            _ => null,
        };
        if (date is { Year: >= 2000 and <= 2100 })
            return date;
        problems.Add(date is null ? $"unreadable {name} '{value.GetRawText()}'" : $"impossible {name} '{value.GetRawText()}'");
        return null;
    }
}
