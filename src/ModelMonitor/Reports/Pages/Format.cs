using System.Globalization;

namespace ModelMonitor.Reports.Pages;

/// How dates, days and money read on the pages (and in Markdown): one place, invariant culture.
public static class Format
{
    public static string Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "—";

    public static string Date(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "—";

    public static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string DaysLeft(int? days) => days switch
    {
        null => "—",
        < 0 => $"retired {-days} days ago",
        0 => "today",
        1 => "1 day",
        _ => $"{days} days",
    };

    public static string Retirement(DateOnly? on, string? kind) =>
        on is null ? "—" : kind == "estimate" ? $"not before {Date(on)} (estimate)" : $"{Date(on)} (firm)";

    public static string Tokens(int? tokens) => tokens is { } t ? t.ToString("N0", CultureInfo.InvariantCulture) : "—";

    public static string Price(decimal? perMillion) => perMillion is { } p ? "$" + p.ToString("0.00##", CultureInfo.InvariantCulture) : "—";

    public static string Kind(string kind) => kind switch
    {
        "ModelAdded" => "model added",
        "Deprecated" => "deprecated",
        "RetirementDateSet" => "retirement date set",
        "RetirementMovedEarlier" => "retirement moved earlier",
        "RetirementMovedLater" => "retirement moved later",
        "EstimateBecameFirm" => "estimate became firm",
        "ReplacementChanged" => "replacement changed",
        "AliasRepointed" => "alias re-pointed",
        "Vanished" => "gone from its page",
        "Reappeared" => "back on its page",
        "Retired" => "retired",
        "StatusChanged" => "status changed",
        "RetirementDateRemoved" => "retirement date removed",
        _ => kind,
    };

    public static string Change(string? oldValue, string? newValue) =>
        (oldValue, newValue) switch
        {
            (null, null) => "",
            (null, var n) => n!,
            (var o, null) => $"{o} → (none)",
            var (o, n) => $"{o} → {n}",
        };

    public static string ModelHref(string provider, string model) =>
        $"/models/{Uri.EscapeDataString(provider)}/{string.Join('/', model.Split('/').Select(Uri.EscapeDataString))}";

    public static string AppHref(string team, string app) => $"/teams/{Uri.EscapeDataString(team)}/apps/{Uri.EscapeDataString(app)}";

    // CSS class for a verdict or status badge (a fixed set: never built from the value itself).
    public static string Badge(string value) => value switch
    {
        "ready" or "active" => "badge ok",
        "needs-review" or "deprecated" or "legacy" or "preview" => "badge warn",
        "not-ready" or "retired" => "badge bad",
        _ => "badge",
    };
}
