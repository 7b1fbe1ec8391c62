using System.Globalization;
using System.Text.Json;

namespace ModelMonitor.Sources;

/// Dates in the providers' model APIs: Unix seconds (whole or fractional) or ISO 8601 text (a date, or an instant
/// taken as its UTC day). Outside 2000–2100 a value is a typo, not a lifecycle date: a problem, as on the pages.
internal static class ApiDates
{
    public static DateOnly? Read(JsonElement owner, string name, List<string> problems)
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
