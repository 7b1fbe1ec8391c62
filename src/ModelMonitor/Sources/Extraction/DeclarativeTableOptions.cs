using System.Text.RegularExpressions;
using ModelMonitor.Catalog;

namespace ModelMonitor.Sources.Extraction;

/// How to read a provider's lifecycle table without writing code: which table (under a heading, or by CSS
/// selector on an HTML page, or every table that has the Model column) and which header names which fact.
/// Bound from configuration, e.g.
/// `{ "Provider": "acme", "Heading": "Deprecated models", "Columns": { "Model": { "Header": "Model" },
///   "RetiresOn": { "Header": "Shutdown", "Pattern": "on (.+)$" } } }`.
public sealed partial record DeclarativeTableOptions
{
    /// The column names a map may use: the Observation facts a table cell can give.
    public static readonly IReadOnlyList<string> ColumnNames = ["Model", "RetiresOn", "DeprecatedOn", "ReleasedOn", "Replacement", "Status"];

    public string Provider { get; init; } = "";

    /// The serving platform when it is not the provider itself.
    public string? Platform { get; init; }

    /// Tables under a heading whose text contains this (case-insensitive), at any depth.
    public string? Heading { get; init; }

    /// A CSS selector for the table, or for an element holding the tables (HTML pages only).
    public string? Selector { get; init; }

    /// The status of rows when the table has no Status column (a deprecations table: Deprecated).
    public LifecycleStatus? DefaultStatus { get; init; }

    /// Column name (one of <see cref="ColumnNames"/>) → the header phrase that finds it, and an optional pattern.
    public IReadOnlyDictionary<string, DeclarativeColumn> Columns { get; init; } = new Dictionary<string, DeclarativeColumn>();

    /// Every problem with these options, as sentences; empty when they are usable.
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var name = string.IsNullOrWhiteSpace(Provider) ? "(unnamed)" : Provider;
        if (string.IsNullOrWhiteSpace(Provider))
            errors.Add("Provider is required.");
        else if (!ProviderName().IsMatch(Provider))
            errors.Add($"Provider '{Provider}' must be lowercase letters, digits, '.', '_' or '-' (like 'openai' or 'aws-bedrock').");
        if (Heading is not null && Selector is not null)
            errors.Add($"{name}: give Heading or Selector, not both.");
        if (Heading is not null && string.IsNullOrWhiteSpace(Heading))
            errors.Add($"{name}: Heading is empty.");
        if (Selector is not null && SelectorError(Selector) is { } selectorError)
            errors.Add($"{name}: Selector '{Selector}' is not valid CSS: {selectorError}");

        var columns = Columns ?? new Dictionary<string, DeclarativeColumn>();
        foreach (var (column, spec) in columns)
        {
            if (!ColumnNames.Contains(column, StringComparer.Ordinal))
            {
                var suggestion = ColumnNames.FirstOrDefault(c => string.Equals(c, column, StringComparison.OrdinalIgnoreCase));
                errors.Add(suggestion is not null
                    ? $"{name}: unknown column name '{column}'; did you mean '{suggestion}'?"
                    : $"{name}: unknown column name '{column}'; known: {string.Join(", ", ColumnNames)}.");
                continue;
            }
            if (spec is null || string.IsNullOrWhiteSpace(spec.Header))
                errors.Add($"{name}: column '{column}' needs a Header (the header phrase that finds it).");
            if (spec?.Pattern is { } pattern && PatternError(pattern) is { } patternError)
                errors.Add($"{name}: column '{column}' has an invalid Pattern '{pattern}': {patternError}");
        }
        if (!columns.ContainsKey("Model"))
            errors.Add($"{name}: the column map needs a Model column (the header of the cells holding model ids).");
        return errors;
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._\-]*$")]
    private static partial Regex ProviderName();

    private static string? PatternError(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, DeclarativeColumn.MatchTimeout);
            return null;
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
    }

    private static string? SelectorError(string selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
            return "it is empty.";
        try
        {
            _ = EmptyDocument.Value.QuerySelector(selector);
            return null;
        }
        catch (AngleSharp.Dom.DomException ex)
        {
            return ex.Message;
        }
    }

    private static readonly Lazy<AngleSharp.Html.Dom.IHtmlDocument> EmptyDocument =
        new(() => new AngleSharp.Html.Parser.HtmlParser().ParseDocument("<html><body></body></html>"));
}

/// One mapped column: the header phrase (contained in the header text, case-insensitive) and an optional
/// regular expression applied to the cell's plain text (its first group is the value, else the whole match).
public sealed record DeclarativeColumn
{
    internal static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(200);

    public string Header { get; init; } = "";

    public string? Pattern { get; init; }
}
